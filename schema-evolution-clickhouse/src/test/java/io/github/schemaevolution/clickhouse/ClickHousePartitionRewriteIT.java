package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunPlan;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Fills by rewriting partitions on a real ClickHouse: copy, check for writes, atomic swap, staging cleaned up. */
@ClickHouseTest
class ClickHousePartitionRewriteIT {
    private static final int MONTHS = 6;
    private static final int ROWS = 6_000;

    private DataSource dataSource;

    @BeforeEach
    void createTable(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        execute("CREATE TABLE readings (day Date, id UInt64, x Float64, y Nullable(Float64),"
                + " loaded DateTime MATERIALIZED now(), triple Float64 ALIAS x * 3)"
                + " ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY id");
        // a fixed load time, so that a rewrite that recomputed the materialized column would show
        execute("INSERT INTO readings (day, id, x, loaded) SELECT toDate('2026-01-01') + toIntervalMonth(number % " + MONTHS
                + "), number, number / 10, toDateTime('2020-02-02 00:00:00') FROM numbers(" + ROWS + ")"
                + " SETTINGS insert_allow_materialized_columns = 1");
    }

    private ChunkRunner.Builder runner() {
        return ChunkRunner.builder(dataSource, new ClickHouseDialect()).parallelism(2).retries(3, Duration.ofMillis(1));
    }

    @Test
    void everyPartitionIsRewrittenOnceWithItsOtherColumnsAsTheyWere() throws SQLException {
        RunPlan plan = runner().build().plan("rewrite", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1"));
        assertThat(plan.chunksLeft()).isEqualTo(MONTHS);
        assertThat(plan.rowsToWrite()).isEqualTo(ROWS);
        assertThat(plan.operation()).startsWith("rewrite of partition 202601").contains("REPLACE PARTITION ID '202601'");
        assertThat(count("1")).as("planning writes nothing").isEqualTo(ROWS);
        assertThat(count("y IS NULL")).isEqualTo(ROWS);

        RunReport report = runner().build().run("rewrite", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1"));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.chunksDone()).isEqualTo(MONTHS);
        assertThat(count("1")).isEqualTo(ROWS);
        assertThat(count("y = x * 2 + 1 AND triple = x * 3 AND loaded = toDateTime('2020-02-02 00:00:00')")).isEqualTo(ROWS);
        assertThat(count("x = id / 10")).isEqualTo(ROWS);
        assertThat(tablesLike("readings_se_rewrite_%")).as("the staging table is dropped at the end").isZero();

        RunReport again = runner().build().run("rewrite", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 5"));
        assertThat(again.chunksSkipped()).isEqualTo(MONTHS);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS);
    }

    @Test
    void twoRunnersOfTheSameRewriteNeitherLoseNorDoubleARow() throws SQLException {
        // two instances starting the same backfill: each copies through a staging table of its own
        ChunkRunner.Handle first = runner().build().start("twice", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1"));
        ChunkRunner.Handle second = runner().build().start("twice", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1"));
        assertThat(first.await().outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(second.await().outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(count("1")).isEqualTo(ROWS);
        assertThat(count("y = x * 2 + 1 AND loaded = toDateTime('2020-02-02 00:00:00')")).isEqualTo(ROWS);
        assertThat(tablesLike("readings_se_rewrite_%")).isZero();
    }

    @Test
    void aPredicateLeavesTheOtherRowsTheirValue() throws SQLException {
        execute("ALTER TABLE readings UPDATE y = -1 WHERE 1 SETTINGS mutations_sync = 2");
        RunReport report = runner().build().run("odd", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x + 1", "id % 2 = 1"));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(count("id % 2 = 1 AND y = x + 1")).isEqualTo(ROWS / 2);
        assertThat(count("id % 2 = 0 AND y = -1")).isEqualTo(ROWS / 2);
    }

    @Test
    void rowsPatchedByLightweightUpdatesAreCopiedWithTheirPatchesAndStayThatWay() throws SQLException {
        execute("CREATE TABLE patched (day Date, id UInt64, x Float64, y Nullable(Float64)) ENGINE = MergeTree"
                + " PARTITION BY toYYYYMM(day) ORDER BY id SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1");
        execute("INSERT INTO patched (day, id, x) SELECT day, id, x FROM readings");
        execute("UPDATE patched SET x = 1000 WHERE id % 10 = 0");
        try (Connection connection = dataSource.getConnection();
             java.util.stream.Stream<io.github.schemaevolution.api.chunk.Chunk> chunks =
                     ClickHouseChunks.partitions("patched").chunks(connection)) {
            assertThat(chunks.map(io.github.schemaevolution.api.chunk.Chunk::id))
                    .as("patch parts are not chunks of their own").hasSize(MONTHS).allMatch(id -> !id.contains("patch-"));
        }
        RunReport report = runner().build().run("patched", ClickHouseChunks.partitions("patched"),
                ClickHouseChunks.rewrite("patched", "y", "x * 2 + 1"));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        execute("OPTIMIZE TABLE patched FINAL");
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(), countIf(id % 10 = 0 AND x = 1000"
                     + " AND y = 2001), countIf(id % 10 != 0 AND x = id / 10 AND y = x * 2 + 1) FROM patched")) {
            row.next();
            assertThat(row.getLong(1)).isEqualTo(ROWS);
            assertThat(row.getLong(2)).isEqualTo(ROWS / 10);
            assertThat(row.getLong(3)).isEqualTo(ROWS - ROWS / 10);
        }
    }

    @Test
    void aRowWrittenDuringTheCopyIsKeptAndThePartitionCopiedAgain() throws SQLException {
        AtomicBoolean written = new AtomicBoolean();
        PartitionRewrite rewrite = new PartitionRewrite("readings", "y", "x * 2 + 1", null, () -> {
            if (written.compareAndSet(false, true)) {
                try {
                    execute("INSERT INTO readings (day, id, x) VALUES ('2026-01-15', 1000000, 7)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        RunReport report = runner().parallelism(1).build().run("busy", ClickHouseChunks.partitions("readings"), rewrite);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.retries()).isEqualTo(1);
        assertThat(count("1")).isEqualTo(ROWS + 1);
        assertThat(count("id = 1000000 AND y = 15")).isEqualTo(1);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS + 1);
    }

    @Test
    void aPartitionWrittenOnEveryAttemptStopsTheRunWithNothingLost() throws SQLException {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        PartitionRewrite rewrite = new PartitionRewrite("readings", "y", "x * 2 + 1", null, () -> {
            try {
                execute("INSERT INTO readings (day, id, x) VALUES ('2026-01-20', " + (2_000_000 + writes.incrementAndGet()) + ", 1)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        RunReport report = runner().parallelism(1).build().run("hot", ClickHouseChunks.partitions("readings"), rewrite);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("readings:partition:202601");
        assertThat(report.retries()).isEqualTo(2);
        assertThat(report.failure()).hasMessageContaining("was written while it was being copied");
        assertThat(count("id > 2000000")).isEqualTo(writes.get()).isEqualTo(3);
        assertThat(count("1")).isEqualTo(ROWS + 3);
        assertThat(count("y IS NULL")).as("the partition was never swapped").isEqualTo(ROWS + 3);
        assertThat(tablesLike("readings_se_rewrite_%")).as("a failed run drops its staging table too").isZero();
    }

    @Test
    void aKilledRewriteResumesWithEveryRowOnceAndItsValue(ClickHouseEndpoint endpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledClickHouseFillMain.class.getName(), endpoint.jdbcUrl(), "killed", "2", "rewrite")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halted itself mid-run").isEqualTo(3);
        assertThat(count("y = x * 2 + 1")).isEqualTo(2L * ROWS / MONTHS);
        assertThat(tablesLike("readings_se_rewrite_%")).as("the killed run left its staging table").isEqualTo(1);

        RunReport resumed = runner().build().run("killed", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1"));
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).isEqualTo(2);
        assertThat(count("1")).isEqualTo(ROWS);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS);
        assertThat(tablesLike("readings_se_rewrite_%")).as("the resumed runner dropped its own; the killed one's stays")
                .isEqualTo(1);
    }

    @Test
    void whatCannotBeRewrittenIsRefusedAndLeftAlone() throws SQLException {
        RunReport materialized = runner().build().run("loaded", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.rewrite("readings", "loaded", "now()"));
        assertThat(materialized.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(materialized.failure()).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_UNSUPPORTED);
            assertThat(e.getMessage()).contains("loaded", "MATERIALIZED");
        });

        execute("CREATE TABLE events (day Date, id UInt64, y Nullable(Float64)) ENGINE = Memory");
        RunReport memory = runner().build().run("memory", connection -> java.util.stream.Stream.of(
                new io.github.schemaevolution.api.chunk.Chunk.Partition("events", "all", 0)),
                ClickHouseChunks.rewrite("events", "y", "1"));
        assertThat(memory.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(memory.failure()).hasMessageContaining("Memory").hasMessageContaining("ClickHouseChunks.fill");

        RunReport otherTable = runner().build().run("other", ClickHouseChunks.chunkTables("readings"),
                ClickHouseChunks.rewrite("readings", "y", "1"));
        assertThat(otherTable.outcome()).as("no chunk tables: nothing to do").isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(count("y IS NULL")).isEqualTo(ROWS);
        assertThat(tablesLike("%_se_rewrite_%")).isZero();
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(sql);
        }
    }

    private long tablesLike(String pattern) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count() FROM system.tables"
                     + " WHERE database = currentDatabase() AND name LIKE '" + pattern + "'")) {
            row.next();
            return row.getLong(1);
        }
    }

    private long count(String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count() FROM readings WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }
}
