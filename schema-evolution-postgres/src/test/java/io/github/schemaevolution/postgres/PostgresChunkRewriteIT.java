package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunPlan;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Fills that rewrite each chunk table once: values, what the table keeps, refusals, lock timeouts. */
@PostgresTest
class PostgresChunkRewriteIT {
    private static final int TABLES = 8;
    private static final int ROWS_EACH = 500;
    private static final Duration LOCK_TIMEOUT = Duration.ofMillis(200);

    private final PostgresDialect dialect = new PostgresDialect();
    private DataSource dataSource;

    @BeforeEach
    void createChunkTables(DataSource dataSource) throws SQLException {
        this.dataSource = dataSource;
        for (int chunk = 1; chunk <= TABLES; chunk++) {
            execute("CREATE TABLE object_" + chunk + " (id bigint PRIMARY KEY, ra double precision NOT NULL,"
                    + " flux double precision CHECK (flux IS NULL OR flux >= 0))",
                    "CREATE INDEX object_" + chunk + "_ra ON object_" + chunk + " (ra)",
                    "INSERT INTO object_" + chunk + " SELECT g, g / 100.0, NULL FROM generate_series(" + (chunk * 10_000) + ", "
                            + (chunk * 10_000 + ROWS_EACH - 1) + ") g",
                    "GRANT SELECT ON object_" + chunk + " TO PUBLIC",
                    "ANALYZE object_" + chunk);
        }
    }

    private ChunkRunner.Builder runner() {
        return ChunkRunner.builder(dataSource, dialect).parallelism(2).retries(2, Duration.ofMillis(1));
    }

    @Test
    void everyChunkTableIsRewrittenOnceAndKeepsItsIndexesGrantsAndConstraints() throws SQLException {
        RunPlan plan = runner().build().plan("flux", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra * 2", LOCK_TIMEOUT));
        assertThat(plan.chunksLeft()).isEqualTo(TABLES);
        assertThat(plan.operation()).startsWith("rewrite of each chunk table once")
                .contains("ALTER TABLE \"object_1\" ALTER COLUMN \"flux\" TYPE double precision USING (ra * 2)");
        assertThat(total("flux IS NULL")).as("planning writes nothing").isEqualTo(TABLES * ROWS_EACH);
        long relation = relfilenode("object_3");

        RunReport report = runner().build().run("flux", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra * 2", LOCK_TIMEOUT));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(report.chunksDone()).isEqualTo(TABLES);
        assertThat(total("flux = ra * 2")).isEqualTo(TABLES * ROWS_EACH);
        assertThat(total("true")).isEqualTo(TABLES * ROWS_EACH);
        assertThat(relfilenode("object_3")).as("written anew, once").isNotEqualTo(relation);
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT (SELECT count(*) FROM pg_indexes WHERE tablename"
                     + " LIKE 'object\\_%'), (SELECT count(*) FROM pg_constraint WHERE conrelid::regclass::text LIKE 'object\\_%'"
                     + " AND contype = 'c'), has_table_privilege('public', 'object_5', 'SELECT')")) {
            row.next();
            assertThat(row.getLong(1)).as("primary keys and ra indexes").isEqualTo(2L * TABLES);
            assertThat(row.getLong(2)).isEqualTo(TABLES);
            assertThat(row.getBoolean(3)).isTrue();
        }

        RunReport again = runner().build().run("flux", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra * 3", LOCK_TIMEOUT));
        assertThat(again.chunksSkipped()).isEqualTo(TABLES);
        assertThat(total("flux = ra * 2")).isEqualTo(TABLES * ROWS_EACH);
    }

    @Test
    void aPredicateLeavesTheOtherRowsTheirValue() throws SQLException {
        RunReport report = runner().build().run("odd", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra + 1", "id % 2 = 1", LOCK_TIMEOUT));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(total("id % 2 = 1 AND flux = ra + 1")).isEqualTo(TABLES * ROWS_EACH / 2);
        assertThat(total("id % 2 = 0 AND flux IS NULL")).isEqualTo(TABLES * ROWS_EACH / 2);
    }

    @Test
    void aValueTheTableRefusesStopsTheRunAndLeavesThatChunkAsItWas() throws SQLException {
        execute("UPDATE object_4 SET ra = -ra");
        RunReport report = runner().parallelism(1).build().run("negative", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra", LOCK_TIMEOUT));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("object_4");
        assertThat(report.failure()).hasMessageContaining("check constraint");
        assertThat(report.chunksDone()).isEqualTo(3);
        assertThat(count("object_4", "flux IS NULL")).isEqualTo(ROWS_EACH);
        assertThat(count("object_3", "flux = ra")).isEqualTo(ROWS_EACH);
    }

    @Test
    void aViewOverTheColumnIsNamedAndTheChunkLeftAlone() throws SQLException {
        execute("CREATE VIEW object_2_bright AS SELECT id, flux FROM object_2 WHERE flux > 1");
        RunReport report = runner().parallelism(1).build().run("view", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra", LOCK_TIMEOUT));
        assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(report.failedChunkId()).contains("object_2");
        assertThat(report.failure()).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_UNSUPPORTED);
            assertThat(e.getMessage()).contains("object_2", "view", "PostgresChunks.fill");
        });
        assertThat(count("object_2", "flux IS NULL")).isEqualTo(ROWS_EACH);
    }

    @Test
    void aChunkTableSomeoneHoldsIsRetriedAfterTheLockTimeoutAndThenReported() throws SQLException {
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("LOCK TABLE object_1 IN ACCESS SHARE MODE");
            RunReport report = runner().parallelism(1).build().run("held", PostgresChunks.chunkTables("object"),
                    PostgresChunks.rewrite("flux", "ra", LOCK_TIMEOUT));
            assertThat(report.outcome()).isEqualTo(RunReport.Outcome.FAILED);
            assertThat(report.retries()).isEqualTo(1);
            assertThat(report.failedChunkId()).contains("object_1");
            assertThat(report.failure()).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
            holder.rollback();
        }
        assertThat(total("flux IS NULL")).isEqualTo(TABLES * ROWS_EACH);

        RunReport resumed = runner().build().run("held", PostgresChunks.chunkTables("object"),
                PostgresChunks.rewrite("flux", "ra", LOCK_TIMEOUT));
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(total("flux = ra")).isEqualTo(TABLES * ROWS_EACH);
    }

    @Test
    void partitionsAndKeyRangesAreRefusedWithTheWayToFillThem() throws SQLException {
        RunReport ranges = runner().build().run("ranges", PostgresChunks.keyRanges("object_1", "id", 100),
                PostgresChunks.rewrite("flux", "ra", LOCK_TIMEOUT));
        assertThat(ranges.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(ranges.failure()).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FEATURE_UNSUPPORTED);
            assertThat(e.getMessage()).contains("chunk tables", "PostgresChunks.fill");
        });
        assertThat(count("object_1", "flux IS NULL")).isEqualTo(ROWS_EACH);
    }

    private long relfilenode(String table) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT pg_relation_filenode('" + table + "')")) {
            row.next();
            return row.getLong(1);
        }
    }

    private long total(String predicate) throws SQLException {
        long total = 0;
        for (int chunk = 1; chunk <= TABLES; chunk++) {
            total += count("object_" + chunk, predicate);
        }
        return total;
    }

    private long count(String table, String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM " + table + " WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }

    private void execute(String... statements) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
