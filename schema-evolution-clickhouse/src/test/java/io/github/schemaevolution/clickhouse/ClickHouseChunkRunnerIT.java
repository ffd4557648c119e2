package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

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

    private long count(String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count() FROM readings WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }
}
