package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.CheckpointStore;
import io.github.schemaevolution.spi.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Runs one {@link ChunkOperation} over the chunks of a {@link ChunkSource}, in parallel, resumably.
 *
 * <ul>
 *   <li><b>Bounded parallelism</b>: at most {@code parallelism} chunks in flight; the source is read
 *       only as fast as chunks are started, so memory does not grow with the number of chunks.</li>
 *   <li><b>Checkpoints</b>: every finished chunk is recorded under the run id, inside the chunk's own
 *       transaction where the engine has transactions; a run started again with the same id skips
 *       finished chunks, so a run killed at any moment resumes where it stopped.</li>
 *   <li><b>Retries</b>: a chunk failing with a transient error (lock timeout, deadlock, serialization
 *       failure: {@link Dialect#isTransient}) is retried with exponential backoff; any other failure,
 *       or the last retry's, stops the run, which reports the chunk.</li>
 *   <li><b>Throttling</b>: a ceiling on rows per second and/or a pause before each chunk.</li>
 *   <li><b>Cancellation</b> through {@link Handle#cancel()}: no new chunk starts, running ones finish.</li>
 *   <li><b>Progress</b> to a listener after every chunk and to SLF4J at most every five seconds.</li>
 *   <li><b>Plans</b>: {@link #plan} is the dry run, saying how many chunks are left and what the
 *       operation would run on the first of them (in place, or by rewriting the chunk).</li>
 * </ul>
 *
 * <p>The source is read a window of {@value #WINDOW} chunks at a time, and the checkpoints of a
 * window are looked up in one query, so memory stays flat at 100,000 chunks and a resumed run does
 * not pay a round trip per finished chunk.
 */
public final class ChunkRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRunner.class);
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;
    /** What applying a chunk returns when another runner of the same run finished it meanwhile. */
    private static final long FINISHED_ELSEWHERE = -1;
    /** Chunks read from the source and looked up in the checkpoints at a time. */
    public static final int WINDOW = 256;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final CheckpointStore checkpoints;
    private final int parallelism;
    private final int maxAttempts;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final double maxRowsPerSecond;
    private final Duration pauseBetweenChunks;
    private final Consumer<Progress> listener;
    private final Pacer pacer;
    private final LongSupplier clock;

    /** How the runner waits (between retries, for throttling); replaceable so tests can count pauses instead of sleeping. */
    @FunctionalInterface
    public interface Pacer {
        void pause(Duration duration) throws InterruptedException;
    }

    private ChunkRunner(Builder builder) {
        this.dataSource = builder.dataSource;
        this.dialect = builder.dialect;
        this.checkpoints = builder.checkpoints != null ? builder.checkpoints : dialect.checkpoints(builder.checkpointTable);
        this.parallelism = builder.parallelism;
        this.maxAttempts = builder.maxAttempts;
        this.backoff = builder.backoff;
        this.maxBackoff = builder.maxBackoff;
        this.maxRowsPerSecond = builder.maxRowsPerSecond;
        this.pauseBetweenChunks = builder.pauseBetweenChunks;
        this.listener = builder.listener;
        this.pacer = builder.pacer;
        this.clock = builder.clock;
    }

    public static Builder builder(DataSource dataSource, Dialect dialect) {
        return new Builder(dataSource, dialect);
    }

    /** Runs to the end (or to a failure) and reports. */
    public RunReport run(String runId, ChunkSource source, ChunkOperation operation) {
        return start(runId, source, operation).await();
    }

    /** Starts the run in the background. */
    public Handle start(String runId, ChunkSource source, ChunkOperation operation) {
        Objects.requireNonNull(runId, "runId");
        Run run = new Run(runId, source, operation);
        CompletableFuture<RunReport> report = CompletableFuture.supplyAsync(run::execute, command -> {
            Thread thread = new Thread(command, "chunk-run-" + runId);
            thread.setDaemon(true);
            thread.start();
        });
        return new Handle(run, report);
    }

    /**
     * A dry run: reads the chunk list and the checkpoints of {@code runId} as {@link #run} would,
     * writes nothing, and says how many chunks are left and what the operation would run on the first.
     */
    public RunPlan plan(String runId, ChunkSource source, ChunkOperation operation) {
        Objects.requireNonNull(runId, "runId");
        try (Connection sourceConnection = dataSource.getConnection();
             Connection control = dataSource.getConnection()) {
            checkpoints.ensureTable(control);
            try (Stream<Chunk> chunks = fix(control, runId, source, false).chunks(sourceConnection)) {
                return plan(runId, chunks, control, operation);
            }
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, null, null,
                    "cannot plan chunk run " + runId + ": " + e.getMessage(), e);
        }
    }

    private RunPlan plan(String runId, Stream<Chunk> chunks, Connection control, ChunkOperation operation) throws SQLException {
        long total = 0;
        long finishedCount = 0;
        long rowsLeft = 0;
        Chunk firstLeft = null;
        Iterator<Chunk> iterator = chunks.iterator();
        while (iterator.hasNext()) {
            List<Chunk> window = nextWindow(iterator);
            Set<String> finished = checkpoints.finished(control, runId, ids(window));
            total += window.size();
            for (Chunk chunk : window) {
                if (finished.contains(chunk.id())) {
                    finishedCount++;
                } else {
                    rowsLeft += chunk.estimatedRows();
                    firstLeft = firstLeft == null ? chunk : firstLeft;
                }
            }
        }
        return new RunPlan(runId, total, finishedCount, rowsLeft, firstLeft == null ? null : firstLeft.id(),
                firstLeft == null ? null : operation.describe(control, firstLeft));
    }

    /**
     * The source with its chunk list fixed for the run: as recorded when the run first started, or,
     * at that first start, as the source lists it now, recorded unless {@code record} is false (a plan).
     */
    private ChunkSource fix(Connection control, String runId, ChunkSource source, boolean record) throws SQLException {
        Optional<String> recorded = checkpoints.recordedSource(control, runId);
        ChunkSource.Fixed fixed = source.fix(control, recorded);
        if (record && recorded.isEmpty() && fixed.record() != null) {
            String holds = checkpoints.recordSource(control, runId, fixed.record());
            if (!holds.equals(fixed.record())) {
                // another runner of the run started first: its chunk list is the run's
                fixed = source.fix(control, Optional.of(holds));
            }
        }
        return fixed.source();
    }

    /** The next chunks of the source, at most a window of them: checkpoints are looked up a window at a time. */
    private static List<Chunk> nextWindow(Iterator<Chunk> iterator) {
        List<Chunk> window = new ArrayList<>(WINDOW);
        while (window.size() < WINDOW && iterator.hasNext()) {
            window.add(iterator.next());
        }
        return window;
    }

    private static List<String> ids(List<Chunk> window) {
        List<String> ids = new ArrayList<>(window.size());
        for (Chunk chunk : window) {
            ids.add(chunk.id());
        }
        return ids;
    }

    /** A started run. */
    public static final class Handle {
        private final Run run;
        private final CompletableFuture<RunReport> report;

        private Handle(Run run, CompletableFuture<RunReport> report) {
            this.run = run;
            this.report = report;
        }

        /** Starts no further chunk; running chunks finish and keep their checkpoints. */
        public void cancel() {
            run.cancelled.set(true);
        }

        public RunReport await() {
            return report.join();
        }
    }

    /** The state of one run; counters are shared with the chunk threads. */
    private final class Run {
        private final String runId;
        private final ChunkSource source;
        private final ChunkOperation operation;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicReference<String> failedChunk = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong skipped = new AtomicLong();
        private final AtomicLong seen = new AtomicLong();
        private final AtomicLong rows = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private final AtomicLong throttledNanos = new AtomicLong();
        private final AtomicLong lastLog = new AtomicLong();
        /** Each worker thread's connection, and all of them, to close when the run ends. */
        private final ThreadLocal<Connection> connections = new ThreadLocal<>();
        private final java.util.Queue<Connection> opened = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private volatile boolean exhausted;
        private volatile OptionalLong counted = OptionalLong.empty();
        private long startNanos;

        Run(String runId, ChunkSource source, ChunkOperation operation) {
            this.runId = runId;
            this.source = source;
            this.operation = operation;
        }

        RunReport execute() {
            startNanos = clock.getAsLong();
            lastLog.set(startNanos);
            ExecutorService workers = Executors.newFixedThreadPool(parallelism, runnable -> {
                Thread thread = new Thread(runnable, "chunk-" + runId);
                thread.setDaemon(true);
                return thread;
            });
            Semaphore inFlight = new Semaphore(parallelism);
            boolean prepared = false;
            try (Connection sourceConnection = dataSource.getConnection();
                 Connection control = dataSource.getConnection()) {
                checkpoints.ensureTable(control);
                ChunkSource fixed = fix(control, runId, source, true);
                counted = fixed.count(control);
                operation.beforeRun(control, runId);
                prepared = true;
                try (Stream<Chunk> chunks = fixed.chunks(sourceConnection)) {
                    work(chunks.iterator(), control, workers, inFlight);
                }
            } catch (SQLException | RuntimeException e) {
                // the source, the checkpoints or the operation's set-up failed: no chunk to name
                if (failure.compareAndSet(null, e)) {
                    LOG.error("chunk run {} stopped: {}", runId, e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled.set(true);
            } finally {
                // the chunks in flight finish, with their checkpoints, before the operation cleans up
                inFlight.acquireUninterruptibly(parallelism);
                workers.shutdown();
                opened.forEach(this::closeQuietly);
                opened.clear();
                if (prepared) {
                    endRun();
                }
            }
            return report();
        }

        /** Starts the chunks in order, at most {@code parallelism} at a time, skipping those the run finished. */
        private void work(Iterator<Chunk> iterator, Connection control, ExecutorService workers, Semaphore inFlight)
                throws SQLException, InterruptedException {
            boolean first = true;
            while (!stopped() && iterator.hasNext()) {
                List<Chunk> window = nextWindow(iterator);
                seen.addAndGet(window.size());
                // known as soon as the last window is read, so that progress can estimate the time left
                exhausted = !iterator.hasNext();
                Set<String> finished = checkpoints.finished(control, runId, ids(window));
                for (Chunk chunk : window) {
                    if (stopped()) {
                        break;
                    }
                    if (finished.contains(chunk.id())) {
                        skipped.incrementAndGet();
                        continue;
                    }
                    if (parallelism == 1) {
                        // one at a time: on this thread, without handing each chunk to another one
                        pace(first);
                        first = false;
                        process(chunk);
                        continue;
                    }
                    inFlight.acquire();
                    try {
                        // paced once a slot is free, so that the rows of the chunks that just finished count
                        pace(first);
                    } catch (InterruptedException e) {
                        inFlight.release();
                        throw e;
                    }
                    first = false;
                    if (stopped()) {
                        inFlight.release();
                        break;
                    }
                    workers.execute(() -> {
                        try {
                            process(chunk);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
            exhausted = !iterator.hasNext();
        }

        private void endRun() {
            try (Connection connection = dataSource.getConnection()) {
                operation.afterRun(connection, runId);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("chunk run {}: the operation could not clean up after the run: {}", runId, e.getMessage());
            }
        }

        private boolean stopped() {
            return cancelled.get() || failure.get() != null;
        }

        /** Throttling: before each chunk, the pause the configured ceiling asks for. */
        private void pace(boolean first) throws InterruptedException {
            long pause = first ? 0 : pauseBetweenChunks.toNanos();
            if (maxRowsPerSecond > 0) {
                long due = (long) (rows.get() / maxRowsPerSecond * 1e9);
                pause = Math.max(pause, due - (clock.getAsLong() - startNanos));
            }
            if (pause > 0) {
                throttledNanos.addAndGet(pause);
                pacer.pause(Duration.ofNanos(pause));
            }
        }

        private void process(Chunk chunk) {
            Duration wait = backoff;
            for (int attempt = 1; ; attempt++) {
                try {
                    long written = applyWithCheckpoint(chunk);
                    if (written == FINISHED_ELSEWHERE) {
                        skipped.incrementAndGet();
                    } else {
                        rows.addAndGet(written);
                        done.incrementAndGet();
                    }
                    report(chunk);
                    return;
                } catch (SQLException | RuntimeException e) {
                    // an operation's own SQLTransientException (a partition written while it was copied) is retried on any engine
                    boolean transient_ = e instanceof SQLTransientException
                            || e instanceof SQLException sql && dialect.isTransient(sql);
                    if (!transient_ || attempt >= maxAttempts || stopped()) {
                        if (failure.compareAndSet(null, e)) {
                            failedChunk.set(chunk.id());
                            LOG.error("chunk run {}: chunk {} failed after {} attempt(s), stopping: {}", runId, chunk.id(),
                                    attempt, e.getMessage());
                        }
                        return;
                    }
                    retries.incrementAndGet();
                    LOG.warn("chunk run {}: chunk {} hit a transient error (attempt {} of {}), retrying in {} ms: {}",
                            runId, chunk.id(), attempt, maxAttempts, wait.toMillis(), e.getMessage());
                    try {
                        pacer.pause(wait);
                    } catch (InterruptedException interrupted) {
                        // the chunk is not done: the run ends cancelled, never completed
                        Thread.currentThread().interrupt();
                        cancelled.set(true);
                        return;
                    }
                    wait = wait.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : wait.multipliedBy(2);
                }
            }
        }

        /** Applies the chunk and records it; {@link #FINISHED_ELSEWHERE} when another runner of the same run finished it first. */
        private long applyWithCheckpoint(Chunk chunk) throws SQLException {
            boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
            Connection connection = workerConnection();
            try {
                connection.setAutoCommit(!transactional);
                long written = checkpoints.claim(connection, runId, chunk.id()) ? operation.apply(connection, chunk)
                        : FINISHED_ELSEWHERE;
                // unrecorded: another runner of this run recorded the chunk while this one worked; its work counts
                if (written == FINISHED_ELSEWHERE || !checkpoints.markDone(connection, runId, chunk.id(), written)) {
                    if (transactional) {
                        connection.rollback();
                    }
                    return FINISHED_ELSEWHERE;
                }
                if (transactional) {
                    connection.commit();
                }
                return written;
            } catch (SQLException | RuntimeException e) {
                // the connection's state is unknown after a failure (it may be the failure): the next attempt gets another
                discard(connection);
                throw e;
            }
        }

        /**
         * The connection of the current worker thread, opened on its first chunk and kept for the
         * run: a data source without a pool would otherwise open a connection per chunk, which costs
         * more than the DDL of a small chunk table.
         */
        private Connection workerConnection() throws SQLException {
            Connection connection = connections.get();
            if (connection == null) {
                connection = dataSource.getConnection();
                connections.set(connection);
                opened.add(connection);
            }
            return connection;
        }

        private void discard(Connection connection) {
            connections.remove();
            opened.remove(connection);
            closeQuietly(connection);
        }

        private void closeQuietly(Connection connection) {
            try {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                connection.close();
            } catch (SQLException e) {
                LOG.debug("chunk run {}: closing a worker connection: {}", runId, e.getMessage());
            }
        }

        private void report(Chunk chunk) {
            Progress progress = progress();
            listener.accept(progress);
            long now = clock.getAsLong();
            long last = lastLog.get();
            if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
                LOG.info("chunk run {}: {} chunks done ({} skipped) of {}, {} rows, {} rows/s{}", runId,
                        progress.chunksDone(), progress.chunksSkipped(), progress.chunksTotal().isPresent()
                                ? String.valueOf(progress.chunksTotal().getAsLong()) : "at least " + progress.chunksSeen(),
                        progress.rows(), Math.round(progress.rowsPerSecond()),
                        progress.estimatedTimeLeft().map(left -> ", about " + left.toSeconds() + " s left").orElse(""));
            }
        }

        private Progress progress() {
            return new Progress(runId, done.get(), skipped.get(), seen.get(), exhausted, counted, rows.get(),
                    Duration.ofNanos(clock.getAsLong() - startNanos));
        }

        private RunReport report() {
            long unfinished = seen.get() - done.get() - skipped.get();
            if (failure.get() == null && !cancelled.get() && unfinished != 0) {
                // a run completes only when every chunk it listed was applied or found finished
                failure.compareAndSet(null, new IllegalStateException(unfinished + " chunk(s) of run " + runId
                        + " were neither applied nor found finished"));
            }
            RunReport.Outcome outcome = failure.get() != null ? RunReport.Outcome.FAILED
                    : cancelled.get() ? RunReport.Outcome.CANCELLED : RunReport.Outcome.COMPLETED;
            RunReport report = new RunReport(runId, outcome, done.get(), skipped.get(), rows.get(), retries.get(),
                    Duration.ofNanos(clock.getAsLong() - startNanos), Duration.ofNanos(throttledNanos.get()),
                    failedChunk.get(), failure.get());
            LOG.info("chunk run {} {}: {} chunks done, {} skipped, {} rows, {} retries in {} ms", runId, outcome,
                    report.chunksDone(), report.chunksSkipped(), report.rows(), report.retries(), report.elapsed().toMillis());
            return report;
        }
    }

    /** Options of a runner; all but the data source and dialect have defaults. */
    public static final class Builder {
        private final DataSource dataSource;
        private final Dialect dialect;
        private CheckpointStore checkpoints;
        private String checkpointTable = "schema_evolution_chunks";
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int maxAttempts = 5;
        private Duration backoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private double maxRowsPerSecond;
        private Duration pauseBetweenChunks = Duration.ZERO;
        private Consumer<Progress> listener = progress -> { };
        private Pacer pacer = duration -> Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        private LongSupplier clock = System::nanoTime;

        private Builder(DataSource dataSource, Dialect dialect) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.dialect = Objects.requireNonNull(dialect, "dialect");
        }

        /** Chunks in flight at once (default: the number of processors). */
        public Builder parallelism(int chunks) {
            this.parallelism = chunks;
            return this;
        }

        /**
         * Tries per chunk for transient errors (default 5), the first retry after {@code firstBackoff}
         * (100 ms), doubling up to 10 s.
         */
        public Builder retries(int attempts, Duration firstBackoff) {
            return retries(attempts, firstBackoff, maxBackoff);
        }

        /** As {@link #retries(int, Duration)}, the wait doubling up to {@code longestBackoff}. */
        public Builder retries(int attempts, Duration firstBackoff, Duration longestBackoff) {
            this.maxAttempts = attempts;
            this.backoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
            this.maxBackoff = Objects.requireNonNull(longestBackoff, "longestBackoff");
            return this;
        }

        /** A ceiling on rows written per second (default: none). */
        public Builder maxRowsPerSecond(double rowsPerSecond) {
            this.maxRowsPerSecond = rowsPerSecond;
            return this;
        }

        /** A pause before every chunk but the first (default: none). */
        public Builder pauseBetweenChunks(Duration pause) {
            this.pauseBetweenChunks = pause;
            return this;
        }

        public Builder listener(Consumer<Progress> progressListener) {
            this.listener = progressListener;
            return this;
        }

        /** Where checkpoints go; by default the dialect's store in {@code checkpointTable}. */
        public Builder checkpoints(CheckpointStore store) {
            this.checkpoints = store;
            return this;
        }

        public Builder checkpointTable(String table) {
            this.checkpointTable = table;
            return this;
        }

        public Builder pacer(Pacer waits) {
            this.pacer = waits;
            return this;
        }

        /** The clock in nanoseconds (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanos) {
            this.clock = nanos;
            return this;
        }

        public ChunkRunner build() {
            if (parallelism < 1 || maxAttempts < 1 || maxRowsPerSecond < 0 || pauseBetweenChunks.isNegative()
                    || backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "chunk runner: parallelism and attempts must be"
                        + " at least 1, the rate, pause and backoff not negative, the longest backoff not below the first (got parallelism "
                        + parallelism + ", attempts " + maxAttempts + ", rate " + maxRowsPerSecond + ", pause "
                        + pauseBetweenChunks + ", backoff " + backoff + " to " + maxBackoff + ")");
            }
            return new ChunkRunner(this);
        }
    }
}
