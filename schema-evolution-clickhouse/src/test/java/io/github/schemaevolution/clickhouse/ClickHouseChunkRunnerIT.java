package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chunked runner on a real ClickHouse: per-partition mutations, checkpoints, failures, cancellation. */
@ClickHouseTest
class ClickHouseChunkRunnerIT {
    private static final int MONTHS = 6;
    private static final int ROWS = 6_000;

    private DataSource dataSource;

    @BeforeEach
    void createTable(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE readings (day Date, id UInt64, x Float64, y Nullable(Float64))"
                    + " ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY id");
            connection.createStatement().execute("INSERT INTO readings (day, id, x) SELECT toDate('2026-01-01') + toIntervalMonth(number % "
                    + MONTHS + "), number, number / 10 FROM numbers(" + ROWS + ")");
        }
    }

    private ChunkRunner.Builder runner() {
        return ChunkRunner.builder(dataSource, new ClickHouseDialect()).parallelism(3);
    }

    @Test
    void fillsEveryPartitionAndARerunSkipsThem() throws SQLException {
        assertThat(runner().build().plan("fill", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1))).operation())
                .startsWith("in place, a mutation per chunk")
                .endsWith("ALTER TABLE `readings` UPDATE `y` = x * 2 + 1 IN PARTITION ID '202601' WHERE 1 SETTINGS mutations_sync = 0");
        RunReport report = runner().build().run("fill", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.chunksDone()).isEqualTo(MONTHS);
        assertThat(report.rows()).isEqualTo(ROWS);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS);

        RunReport again = runner().build().run("fill", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x * 3", Duration.ofMinutes(1)));
        assertThat(again.chunksSkipped()).isEqualTo(MONTHS);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS);

        RunReport cleared = runner().build().run("clear", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.clear("y", Duration.ofMinutes(1)));
        assertThat(cleared.chunksDone()).isEqualTo(MONTHS);
        assertThat(count("y IS NULL")).isEqualTo(ROWS);
    }

    @Test
    void tablesThatAllowLightweightUpdatesAreFilledWithoutMutations() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE light (day Date, id UInt64, x Float64, y Nullable(Float64))"
                    + " ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY id"
                    + " SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1");
            connection.createStatement().execute("INSERT INTO light SELECT day, id, x, y FROM readings");
        }
        assertThat(runner().build().plan("light", ClickHouseChunks.partitions("light"),
                ClickHouseChunks.update("y", "x * 2 + 1", "id % 3 = 0", Duration.ofMinutes(1))).operation())
                .startsWith("in place, a lightweight UPDATE per chunk")
                .endsWith("UPDATE `light` SET `y` = x * 2 + 1 WHERE _partition_id = '202601' AND (id % 3 = 0)");
        RunReport report = runner().build().run("light", ClickHouseChunks.partitions("light"),
                ClickHouseChunks.update("y", "x * 2 + 1", "id % 3 = 0", Duration.ofMinutes(1)));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.chunksDone()).isEqualTo(MONTHS);
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT countIf(y = x * 2 + 1), countIf(y IS NULL),"
                     + " (SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = 'light') FROM light")) {
            row.next();
            assertThat(row.getLong(1)).isEqualTo(ROWS / 3);
            assertThat(row.getLong(2)).isEqualTo(ROWS - ROWS / 3);
            assertThat(row.getLong(3)).as("no mutation was needed").isZero();
        }
    }

    @Test
    void keyRangesOfAnUnpartitionedTableAreFilledByMutationOrLightweightUpdate() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE flat (id UInt64, x Float64, y Nullable(Float64))"
                    + " ENGINE = MergeTree ORDER BY id");
            connection.createStatement().execute("CREATE TABLE flat_light (id UInt64, x Float64, y Nullable(Float64))"
                    + " ENGINE = MergeTree ORDER BY id SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1");
            connection.createStatement().execute("INSERT INTO flat SELECT id, x, y FROM readings");
            connection.createStatement().execute("INSERT INTO flat_light SELECT id, x, y FROM readings");
            assertThat(ClickHouseChunks.keyRanges("flat", "id", 1_000).count(connection)).hasValue(6);
        }
        RunReport mutations = runner().build().run("flat", ClickHouseChunks.keyRanges("flat", "id", 1_000),
                ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        assertThat(mutations.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(mutations.chunksDone()).isEqualTo(6);
        assertThat(mutations.rows()).isEqualTo(ROWS);
        assertThat(count("flat", "y = x * 2 + 1")).isEqualTo(ROWS);

        RunReport light = runner().build().run("flat-light", ClickHouseChunks.keyRanges("flat_light", "id", 1_000),
                ClickHouseChunks.update("y", "-x", "id % 3 = 0", Duration.ofMinutes(1)));
        assertThat(light.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(count("flat_light", "y = -x")).isEqualTo(ROWS / 3);
        assertThat(count("flat_light", "y IS NULL")).isEqualTo(ROWS - ROWS / 3);

        RunReport cleared = runner().build().run("flat-clear", ClickHouseChunks.keyRanges("flat", "id", 1_000),
                ClickHouseChunks.clear("y", Duration.ofMinutes(1)));
        assertThat(cleared.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(cleared.failure()).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_UNSUPPORTED);
            assertThat(e.getMessage()).contains("clear works on partitions");
        });
        assertThat(count("flat", "y = x * 2 + 1")).isEqualTo(ROWS);
    }

    @Test
    void updatesFollowThePredicateAndTransientErrorsAreRetried() throws SQLException {
        AtomicInteger failures = new AtomicInteger();
        ChunkOperation update = ClickHouseChunks.update("y", "-1", "id % 2 = 0", Duration.ofMinutes(1));
        ChunkOperation flaky = (connection, chunk) -> {
            if (failures.getAndIncrement() == 0) {
                throw new SQLException("Code: 202. DB::Exception: Too many simultaneous queries. (TOO_MANY_SIMULTANEOUS_QUERIES)");
            }
            return update.apply(connection, chunk);
        };
        RunReport report = runner().retries(3, Duration.ofMillis(1)).build()
                .run("even", ClickHouseChunks.partitions("readings"), flaky);
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.retries()).isEqualTo(1);
        assertThat(count("y = -1")).isEqualTo(ROWS / 2);
        assertThat(count("y IS NULL")).isEqualTo(ROWS / 2);
    }

    @Test
    void aFailingMutationStopsTheRunAndNamesThePartition() throws SQLException {
        RunReport report = runner().parallelism(1).build().run("broken", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "no_such_column + 1", Duration.ofMinutes(1)));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("readings:partition:202601");
        assertThat(report.failure()).hasMessageContaining("no_such_column");
        assertThat(count("y IS NOT NULL")).isZero();
    }

    @Test
    void aMutationFailingInTheBackgroundIsReportedWithItsCommandAndHowToDropIt() throws SQLException {
        RunReport report = runner().parallelism(1).build().run("throws", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "throwIf(x > 100, 'value out of range')", Duration.ofMinutes(1)));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("readings:partition:202601");
        assertThat(report.failure()).hasMessageContaining("value out of range")
                .hasMessageContaining("IN PARTITION ID '202601'").hasMessageContaining("KILL MUTATION WHERE mutation_id = ");
        assertThat(report.chunksDone()).isZero();
    }

    @Test
    void cancellationStopsAndTheRunResumes() throws SQLException {
        AtomicReference<ChunkRunner.Handle> handle = new AtomicReference<>();
        handle.set(runner().parallelism(1).listener(progress -> {
            if (progress.chunksDone() == 2) {
                handle.get().cancel();
            }
        }).build().start("cancel", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x + 0.5", Duration.ofMinutes(1))));
        RunReport cancelled = handle.get().await();
        assertThat(cancelled.outcome()).isEqualTo(RunReport.Outcome.CANCELLED);
        assertThat(cancelled.chunksDone()).isEqualTo(2);
        assertThat(count("y = x + 0.5")).isEqualTo(2L * ROWS / MONTHS);

        RunReport resumed = runner().build().run("cancel", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x + 0.5", Duration.ofMinutes(1)));
        assertThat(resumed.chunksSkipped()).isEqualTo(2);
        assertThat(count("y = x + 0.5")).isEqualTo(ROWS);
    }

    @Test
    void throttlingAsksForThePausesTheCeilingImplies() throws SQLException {
        List<Duration> pauses = new ArrayList<>();
        // a clock that never moves: every pause asked for is the whole debt of the rate so far
        RunReport report = runner().parallelism(1).maxRowsPerSecond(ROWS / MONTHS).clock(() -> 0L).pacer(pauses::add).build()
                .run("throttled", ClickHouseChunks.partitions("readings"), ClickHouseChunks.fill("y", "x", Duration.ofMinutes(1)));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(4), Duration.ofSeconds(5));
        assertThat(report.throttled()).isEqualTo(Duration.ofSeconds(15));
        assertThat(count("y = x")).isEqualTo(ROWS);
    }

    @Test
    void aKilledProcessResumesAndEveryRowEndsWithItsValue(ClickHouseEndpoint endpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledClickHouseFillMain.class.getName(), endpoint.jdbcUrl(), "killed", "2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("the child halted itself mid-run").isEqualTo(3);
        assertThat(count("y = x * 2 + 1")).isEqualTo(2L * ROWS / MONTHS);

        RunReport resumed = runner().build().run("killed", ClickHouseChunks.partitions("readings"),
                ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).isEqualTo(2);
        assertThat(resumed.chunksDone()).isEqualTo(MONTHS - 2);
        assertThat(count("y = x * 2 + 1")).isEqualTo(ROWS);
    }

    @Test
    void aRunKilledWithSigkillResumesOverTheSameKeyRangesAfterInserts(ClickHouseEndpoint endpoint) throws Exception {
        ChildJvm child = ChildJvm.start(KilledClickHouseFillMain.class, endpoint.jdbcUrl(), "sigkilled", "killed", "ranges");
        // the child reports each finished chunk; it is killed while the next ones are in flight
        assertThat(child.killWhenItPrints("chunk 3")).as("killed by SIGKILL").isEqualTo(137);
        long finished = count("schema_evolution_chunks FINAL", "run_id = 'sigkilled'");
        assertThat(finished).isBetween(3L, 11L);

        // rows far above the span the run started with: cut afresh, the ranges would have other bounds
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("INSERT INTO readings (day, id, x) SELECT toDate('2026-03-01'), 30000 + number,"
                    + " number FROM numbers(1000)");
        }
        RunReport resumed = runner().build().run("sigkilled", ClickHouseChunks.keyRanges("readings", "id", 500),
                ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).as("the chunks checkpointed before the kill").isEqualTo(finished);
        assertThat(resumed.chunksDone() + resumed.chunksSkipped()).as("the ranges the run started with").isEqualTo(ROWS / 500);
        assertThat(count("y = x * 2 + 1")).as("every row, the inserted ones too").isEqualTo(ROWS + 1000);
    }

    @Test
    void anUpdateThatReadsTheColumnItWritesIsRefusedBeforeAnyChunkRuns() {
        for (Runnable operation : List.<Runnable>of(
                () -> ClickHouseChunks.update("x", "x + 1", null, Duration.ofMinutes(1)),
                () -> ClickHouseChunks.fill("y", "coalesce(`y`, 0) * 2", Duration.ofMinutes(1)),
                () -> ClickHouseChunks.rewrite("readings", "y", "Y - 1"))) {
            assertThatThrownBy(operation::run).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_NOT_REPEATABLE);
                assertThat(e.getMessage()).contains("reads the column it writes", "compute the value from other columns");
            });
        }
        // a name inside a string literal, or another column's name that contains it, is no read of the column
        assertThat(ClickHouseChunks.fill("y", "concat('y', toString(xy_ratio))", Duration.ofMinutes(1))).isNotNull();
    }

    @Test
    void ddlOverChunkTablesAndADifferentChunkIsNamed() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            for (int chunk = 1; chunk <= 20; chunk++) {
                connection.createStatement().execute("CREATE TABLE object_" + chunk + " (id UInt64, ra Float64) ENGINE = MergeTree ORDER BY id");
            }
        }
        RunReport ddl = runner().build().run("add-flux", ClickHouseChunks.chunkTables("object"),
                ClickHouseChunks.addColumn(Column.of("flux", ColumnType.nullable(ColumnType.FLOAT64))));
        assertThat(ddl.chunksDone()).isEqualTo(20);
        try (Connection connection = dataSource.getConnection()) {
            assertThat(ClickHouseChunks.chunkTables("object").count(connection)).hasValue(20);
            ClickHouseChunks.verifySameSchema(connection, "object");
            for (int chunk = 1; chunk <= 7; chunk++) {
                connection.createStatement().execute("ALTER TABLE object_" + chunk + " ADD COLUMN _spare_float64_1 Nullable(Float64)");
            }
            SchemaReport refilling = ClickHouseChunks.schemaReport(dataSource, "object");
            assertThat(refilling.acceptable()).as(refilling.toString()).isTrue();
            assertThat(refilling.variants()).singleElement().satisfies(variant -> {
                assertThat(variant.tables()).isEqualTo(7);
                assertThat(variant.differences()).extracting(SchemaReport.Difference::column).containsExactly("_spare_float64_1");
            });
            connection.createStatement().execute("ALTER TABLE object_19 DROP COLUMN flux");
            SchemaReport drifted = ClickHouseChunks.schemaReport(dataSource, "object");
            assertThat(drifted.tablesOff()).isEqualTo(1);
            assertThat(drifted.variants()).filteredOn(variant -> !variant.allowed()).singleElement()
                    .satisfies(variant -> assertThat(variant.named()).containsExactly("object_19"));
            assertThatThrownBy(() -> ClickHouseChunks.verifySameSchema(connection, "object"))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_DRIFT);
                        assertThat(e.getMessage()).contains("of 20", "[object_19]", "flux: missing");
                    });
        }
    }

    private long count(String predicate) throws SQLException {
        return count("readings", predicate);
    }

    private long count(String table, String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count() FROM " + table + " WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }
}
