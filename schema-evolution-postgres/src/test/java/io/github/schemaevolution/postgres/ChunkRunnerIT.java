package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.Progress;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import io.github.schemaevolution.spi.CheckpointStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The chunked runner on a real PostgreSQL: correctness, exactly-once resume, retries, failures, cancellation, throttling. */
@PostgresTest
class ChunkRunnerIT {
    static final int ROWS = 10_000;
    static final int CHUNK = 500;
    static final int CHUNKS = ROWS / CHUNK;

    /** Not idempotent on purpose: a chunk applied twice shows as 2. */
    static final ChunkOperation INCREMENT = (connection, chunk) -> {
        Chunk.KeyRange range = (Chunk.KeyRange) chunk;
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE readings SET x = coalesce(x, 0) + 1 WHERE id >= ? AND id < ?")) {
            update.setLong(1, range.from());
            update.setLong(2, range.to());
            return update.executeUpdate();
        }
    };

    private DataSource dataSource;
    private final PostgresDialect dialect = new PostgresDialect();

    static ChunkSource ranges() {
        return PostgresChunks.keyRanges("readings", "id", CHUNK);
    }

    @BeforeEach
    void createTable(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE readings (id bigint PRIMARY KEY, x double precision)");
            connection.createStatement().execute("INSERT INTO readings (id) SELECT g FROM generate_series(0, " + (ROWS - 1) + ") g");
            connection.createStatement().execute("ANALYZE readings");
        }
    }

    private ChunkRunner.Builder runner() {
        return ChunkRunner.builder(dataSource, dialect).parallelism(2);
    }

    @Test
    void fillsEveryRowAndARerunSkipsFinishedChunks() throws SQLException {
        RunReport report = runner().build().run("fill", ranges(), PostgresChunks.fill("x", "id * 2 + 1", true));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.chunksDone()).isEqualTo(CHUNKS);
        assertThat(report.rows()).isEqualTo(ROWS);
        assertThat(count("x = id * 2 + 1")).isEqualTo(ROWS);

        RunReport again = runner().build().run("fill", ranges(), INCREMENT);
        assertThat(again.chunksSkipped()).isEqualTo(CHUNKS);
        assertThat(again.chunksDone()).isZero();
        assertThat(count("x = id * 2 + 1")).isEqualTo(ROWS);
    }

    @Test
    void parallelismIsBounded() throws SQLException {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ChunkOperation counting = (connection, chunk) -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                return INCREMENT.apply(connection, chunk);
            } finally {
                running.decrementAndGet();
            }
        };
        RunReport report = runner().parallelism(3).build().run("bounded", ranges(), counting);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(most.get()).isBetween(1, 3);
        assertThat(count("x = 1")).isEqualTo(ROWS);
    }

    @Test
    void aTransientFailureIsRetriedAndApplied() throws SQLException {
        AtomicInteger failures = new AtomicInteger();
        ChunkOperation flaky = (connection, chunk) -> {
            long written = INCREMENT.apply(connection, chunk);
            if (chunk.id().endsWith(":1000-1500") && failures.getAndIncrement() == 0) {
                throw new SQLException("could not serialize access", "40001");
            }
            return written;
        };
        RunReport report = runner().retries(3, Duration.ofMillis(1)).build().run("flaky", ranges(), flaky);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.retries()).isEqualTo(1);
        assertThat(count("x = 1")).as("the failed attempt rolled back, the retry applied once").isEqualTo(ROWS);
    }

    @Test
    void aNonRetryableFailureStopsTheRunAndNamesTheChunk() throws SQLException {
        ChunkOperation broken = (connection, chunk) -> {
            long written = INCREMENT.apply(connection, chunk);
            if (chunk.id().endsWith(":1500-2000")) {
                throw new SQLException("syntax error", "42601");
            }
            return written;
        };
        RunReport report = runner().parallelism(1).build().run("broken", ranges(), broken);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("readings:id:1500-2000");
        assertThat(report.failure()).hasMessageContaining("syntax error");
        assertThat(report.chunksDone()).isEqualTo(3);
        assertThat(count("x IS NULL AND id >= 1500")).as("the failed chunk rolled back, later ones never started")
                .isEqualTo(ROWS - 1500);
    }

    @Test
    void cancellationStopsAndTheSameRunIdResumesExactlyOnce() throws SQLException {
        AtomicReference<ChunkRunner.Handle> handle = new AtomicReference<>();
        ChunkRunner cancelling = runner().parallelism(1).listener(progress -> {
            if (progress.chunksDone() == 4) {
                handle.get().cancel();
            }
        }).build();
        handle.set(cancelling.start("cancel", ranges(), INCREMENT));
        RunReport cancelled = handle.get().await();
        assertThat(cancelled.outcome()).isEqualTo(RunReport.Outcome.CANCELLED);
        assertThat(cancelled.chunksDone()).isBetween(4L, (long) CHUNKS - 1);

        RunReport resumed = runner().build().run("cancel", ranges(), INCREMENT);
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).isEqualTo(cancelled.chunksDone());
        assertThat(count("x = 1")).isEqualTo(ROWS);
    }

    @Test
    void aResumeSkipsFinishedChunksAcrossManyCheckpointWindows() throws SQLException {
        int small = ROWS / 625;   // 625 chunks: three windows of checkpoint lookups, the cancel in the second
        AtomicReference<ChunkRunner.Handle> handle = new AtomicReference<>();
        handle.set(runner().parallelism(1).listener(progress -> {
            if (progress.chunksDone() == 300) {
                handle.get().cancel();
            }
        }).build().start("windows", PostgresChunks.keyRanges("readings", "id", small), INCREMENT));
        RunReport cancelled = handle.get().await();
        assertThat(cancelled.outcome()).isEqualTo(RunReport.Outcome.CANCELLED);
        assertThat(cancelled.chunksDone()).isEqualTo(300);

        RunReport resumed = runner().build().run("windows", PostgresChunks.keyRanges("readings", "id", small), INCREMENT);
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).isEqualTo(300);
        assertThat(resumed.chunksDone()).isEqualTo(325);
        assertThat(count("x = 1")).isEqualTo(ROWS);
    }

    @Test
    void twoRunnersOfTheSameRunApplyEveryChunkOnceBetweenThem() throws SQLException {
        // as two instances of an application would, each starting the same backfill
        ChunkRunner.Handle first = runner().parallelism(2).build().start("shared", ranges(), INCREMENT);
        ChunkRunner.Handle second = runner().parallelism(2).build().start("shared", ranges(), INCREMENT);
        RunReport one = first.await();
        RunReport two = second.await();
        assertThat(one.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(two.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(one.chunksDone() + two.chunksDone()).isEqualTo(CHUNKS);
        assertThat(one.chunksDone() + one.chunksSkipped()).isEqualTo(CHUNKS);
        assertThat(two.chunksDone() + two.chunksSkipped()).isEqualTo(CHUNKS);
        assertThat(count("x = 1")).isEqualTo(ROWS);
    }

    @Test
    void aChunkRecordedByAnotherRunnerWhileThisOneWorkedIsRolledBack() throws SQLException {
        RunReport first = runner().build().run("late", ranges(), INCREMENT);
        assertThat(first.chunksDone()).isEqualTo(CHUNKS);
        // a runner whose look at the checkpoints came before the other runner's commits
        CheckpointStore real = dialect.checkpoints("schema_evolution_chunks");
        CheckpointStore stale = new CheckpointStore() {
            @Override
            public void ensureTable(Connection connection) throws SQLException {
                real.ensureTable(connection);
            }

            @Override
            public java.util.Set<String> finished(Connection connection, String runId, List<String> chunkIds) {
                return java.util.Set.of();
            }

            @Override
            public java.util.Optional<String> recordedSource(Connection connection, String runId) throws SQLException {
                return real.recordedSource(connection, runId);
            }

            @Override
            public String recordSource(Connection connection, String runId, String record) throws SQLException {
                return real.recordSource(connection, runId, record);
            }

            @Override
            public boolean claim(Connection connection, String runId, String chunkId) throws SQLException {
                return real.claim(connection, runId, chunkId);
            }

            @Override
            public boolean markDone(Connection connection, String runId, String chunkId, long rows) throws SQLException {
                return real.markDone(connection, runId, chunkId, rows);
            }
        };
        RunReport late = runner().checkpoints(stale).build().run("late", ranges(), INCREMENT);
        assertThat(late.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(late.chunksDone()).isZero();
        assertThat(late.chunksSkipped()).isEqualTo(CHUNKS);
        assertThat(count("x = 1")).as("the second runner's increments were rolled back").isEqualTo(ROWS);
    }

    @Test
    void throttlingAsksForThePausesTheCeilingImplies() throws SQLException {
        List<Duration> pauses = new ArrayList<>();
        // a clock that never moves: every pause the runner asks for is the whole debt of the rate
        RunReport report = runner().parallelism(1).maxRowsPerSecond(1_000).clock(() -> 0L)
                .pacer(pauses::add).build().run("throttled", ranges(), INCREMENT);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(pauses).hasSize(CHUNKS - 1);
        assertThat(pauses.get(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(pauses.get(CHUNKS - 2)).isEqualTo(Duration.ofMillis(500L * (CHUNKS - 1)));

        List<Duration> fixed = new ArrayList<>();
        runner().parallelism(1).pauseBetweenChunks(Duration.ofMillis(7)).pacer(fixed::add).build()
                .run("paused", ranges(), INCREMENT);
        assertThat(fixed).hasSize(CHUNKS - 1).containsOnly(Duration.ofMillis(7));
    }

    @Test
    void anInterruptDuringARetrysBackoffEndsTheRunCancelledAndBackoffIsCapped() throws SQLException {
        ChunkOperation busy = (connection, chunk) -> {
            throw new java.sql.SQLTransientException("busy");
        };
        RunReport interrupted = runner().parallelism(1).pacer(pause -> {
            throw new InterruptedException("stopped while waiting to retry");
        }).build().run("interrupted", ranges(), busy);
        assertThat(interrupted.outcome()).as("a chunk not done is never a completed run").isEqualTo(RunReport.Outcome.CANCELLED);
        assertThat(interrupted.chunksDone()).isZero();

        List<Duration> waits = new ArrayList<>();
        RunReport capped = runner().parallelism(1).retries(7, Duration.ofMillis(100), Duration.ofMillis(400)).pacer(waits::add)
                .build().run("capped", ranges(), busy);
        assertThat(capped.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(400), Duration.ofMillis(400), Duration.ofMillis(400));
    }

    @Test
    void progressReachesTheListener() throws SQLException {
        List<Progress> events = new ArrayList<>();
        runner().parallelism(1).listener(events::add).build().run("progress", ranges(), INCREMENT);
        assertThat(events).hasSize(CHUNKS);
        assertThat(events.get(CHUNKS - 1).chunksDone()).isEqualTo(CHUNKS);
        assertThat(events.get(CHUNKS - 1).rows()).isEqualTo(ROWS);
        assertThat(events).extracting(Progress::chunksDone).isSorted();
        // the key ranges are counted before the first chunk: progress knows the total and the time left from the start
        assertThat(events.get(0).chunksCounted()).hasValue(CHUNKS);
        assertThat(events.get(0).chunksTotal()).hasValue(CHUNKS);
        assertThat(events.get(0).estimatedTimeLeft()).isPresent();
        assertThat(events.get(CHUNKS - 1).estimatedTimeLeft()).contains(java.time.Duration.ZERO);
    }

    @Test
    void aKilledProcessResumesAndEveryRowGetsItsValueExactlyOnce(PostgresEndpoint endpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledFillMain.class.getName(),
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), "killed", "5")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halted itself mid-run").isEqualTo(3);
        long before = count("x = 1");
        assertThat(before).isBetween(5L * CHUNK, (long) ROWS - CHUNK);
        assertThat(count("x > 1")).isZero();

        RunReport resumed = runner().build().run("killed", ranges(), INCREMENT);
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).isEqualTo(before / CHUNK);
        assertThat(count("x = 1")).isEqualTo(ROWS);
    }

    @Test
    void aRunKilledWithSigkillResumesOverTheSameChunksAfterInsertsAndAnalyze(PostgresEndpoint endpoint) throws Exception {
        ChildJvm child = ChildJvm.start(KilledFillMain.class, endpoint.jdbcUrl(), endpoint.user(), endpoint.password(),
                "sigkilled", "killed");
        // the child reports each finished chunk; it is killed while the next ones are in flight
        assertThat(child.killWhenItPrints("chunk 4")).as("killed by SIGKILL").isEqualTo(137);
        long finished = checkpoints("sigkilled");
        assertThat(finished).isBetween(4L, (long) CHUNKS - 1);
        assertThat(count("x = 1")).isEqualTo(finished * CHUNK);

        // the table grows and its statistics change between the kill and the resume: cut afresh, the
        // key span (0 to 3 * ROWS) and the row estimate would give ranges of other bounds
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("INSERT INTO readings (id) SELECT g FROM generate_series("
                    + (3 * ROWS - 2 * CHUNK) + ", " + (3 * ROWS - 1) + ") g");
            connection.createStatement().execute("ANALYZE readings");
        }
        RunReport resumed = runner().build().run("sigkilled", ranges(), INCREMENT);
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).as("the chunks checkpointed before the kill").isEqualTo(finished);
        assertThat(resumed.chunksDone() + resumed.chunksSkipped()).as("the chunk list the run started with").isEqualTo(CHUNKS);
        assertThat(count("x IS DISTINCT FROM 1")).as("every row, the inserted ones too, incremented once").isZero();
    }

    @Test
    void aPlanAndARunOfTheSameIdSeeTheChunkListTheRunStartedWith() throws SQLException {
        RunReport first = runner().parallelism(1).listener(progress -> {
            if (progress.chunksDone() == 3) {
                throw new IllegalStateException("stop after three chunks");
            }
        }).build().run("fixed", ranges(), INCREMENT);
        assertThat(first.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("DELETE FROM readings WHERE id < " + (ROWS / 2));
            connection.createStatement().execute("ANALYZE readings");
        }
        assertThat(runner().build().plan("fixed", ranges(), INCREMENT).chunksFinished()).isEqualTo(3);
        assertThat(runner().build().plan("fixed", ranges(), INCREMENT).chunks()).isEqualTo(CHUNKS);
        assertThat(runner().build().plan("another", ranges(), INCREMENT).chunks())
                .as("a new run cuts the table as it is now").isEqualTo(CHUNKS / 2);
    }

    private long checkpoints(String runId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM schema_evolution_chunks WHERE run_id = ?")) {
            select.setString(1, runId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private long count(String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM readings WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }
}
