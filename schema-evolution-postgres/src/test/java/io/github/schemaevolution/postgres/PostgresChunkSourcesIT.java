package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.nullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Partitions and per-chunk tables as chunks, updates with a predicate, clearing, DDL over chunk tables and their sameness. */
@PostgresTest
class PostgresChunkSourcesIT {
    private final PostgresDialect dialect = new PostgresDialect();

    @Test
    void partitionsAreChunksAndUpdatesFollowThePredicate(DataSource dataSource) throws SQLException {
        execute(dataSource, "CREATE TABLE events (id bigint, day date, x double precision, y double precision) PARTITION BY RANGE (day)",
                "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
                "CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')",
                "CREATE TABLE events_2026_03 PARTITION OF events FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')",
                "INSERT INTO events SELECT g, DATE '2026-01-01' + (g % 90), g, NULL FROM generate_series(1, 3000) g",
                "ANALYZE events");
        try (Connection connection = dataSource.getConnection();
             Stream<Chunk> chunks = PostgresChunks.partitions("events").chunks(connection)) {
            assertThat(chunks.map(Chunk::id)).containsExactly("events:partition:events_2026_01",
                    "events:partition:events_2026_02", "events:partition:events_2026_03");
            assertThat(PostgresChunks.partitions("events").count(connection)).hasValue(3);
        }
        RunReport update = ChunkRunner.builder(dataSource, dialect).build()
                .run("even", PostgresChunks.partitions("events"), PostgresChunks.update("y", "x * 10", "id % 2 = 0"));
        assertThat(update.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(update.rows()).isEqualTo(1500);
        assertThat(count(dataSource, "events", "y = x * 10")).isEqualTo(1500);
        assertThat(count(dataSource, "events", "y IS NULL")).isEqualTo(1500);

        RunReport clear = ChunkRunner.builder(dataSource, dialect).build()
                .run("clear", PostgresChunks.partitions("events"), PostgresChunks.clear("y"));
        assertThat(clear.rows()).isEqualTo(1500);
        assertThat(count(dataSource, "events", "y IS NULL")).isEqualTo(3000);
    }

    /**
     * A fill by heap blocks: full pages (fillfactor 100) leave no room for HOT updates, so updated rows
     * move to blocks a later chunk reads again; each row is still set once, and rows that already hold
     * the value are not written at all.
     */
    @Test
    void aFillByBlockRangesSetsEveryRowOnceInPhysicalOrder(DataSource dataSource) throws SQLException {
        execute(dataSource, "CREATE TABLE readings (id bigint PRIMARY KEY, x double precision, y double precision)",
                "INSERT INTO readings SELECT g, g, CASE WHEN g % 10 = 0 THEN g * 2 + 1 END FROM generate_series(1, 20000) g",
                "VACUUM ANALYZE readings");
        try (Connection connection = dataSource.getConnection();
             Stream<Chunk> chunks = PostgresChunks.blockRanges("readings", 16).chunks(connection)) {
            assertThat(chunks.count()).isGreaterThan(4);
        }
        RunReport fill = ChunkRunner.builder(dataSource, dialect).parallelism(2).build()
                .run("by-blocks", PostgresChunks.blockRanges("readings", 16), PostgresChunks.fill("y", "x * 2 + 1", false));

        assertThat(fill.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(fill.rows()).isEqualTo(18_000);
        assertThat(count(dataSource, "readings", "y = x * 2 + 1")).isEqualTo(20_000);
        // an update that reads what it sets would be applied twice to a row that moved: refused, nothing changed
        RunReport refused = ChunkRunner.builder(dataSource, dialect).build().run("twice",
                PostgresChunks.blockRanges("readings", 16), PostgresChunks.update("y", "y + 1", null));
        assertThat(refused.outcome()).isEqualTo(RunReport.Outcome.FAILED);
        assertThat(refused.failure()).hasMessageContaining("could set a row twice");
        assertThat(count(dataSource, "readings", "y = x * 2 + 1")).isEqualTo(20_000);
    }

    @Test
    void ddlOverChunkTablesAndADifferentChunkIsNamed(DataSource dataSource) throws SQLException {
        for (int chunk = 1; chunk <= 40; chunk++) {
            execute(dataSource, "CREATE TABLE object_" + chunk + " (id bigint PRIMARY KEY, ra double precision)");
        }
        execute(dataSource, "CREATE TABLE object_other (id bigint)");
        try (Connection connection = dataSource.getConnection();
             Stream<Chunk> chunks = PostgresChunks.chunkTables("object").chunks(connection)) {
            List<String> ids = chunks.map(Chunk::id).toList();
            assertThat(ids).hasSize(40).contains("object_1", "object_40").doesNotContain("object_other");
            assertThat(PostgresChunks.chunkTables("object").count(connection)).hasValue(40);
        }
        RunReport ddl = ChunkRunner.builder(dataSource, dialect).build()
                .run("add-flux", PostgresChunks.chunkTables("object"), PostgresChunks.addColumn(Column.of("flux", nullable(FLOAT64))));
        assertThat(ddl.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(ddl.chunksDone()).isEqualTo(40);
        try (Connection connection = dataSource.getConnection()) {
            PostgresChunks.verifySameSchema(connection, "object");
            assertThat(PostgresChunks.schemaReport(dataSource, "object").same()).isTrue();
            // a refill over a third of the chunks: the spare they have and the others not yet is allowed
            for (int chunk = 1; chunk <= 13; chunk++) {
                execute(dataSource, "ALTER TABLE object_" + chunk + " ADD COLUMN _spare_float64_1 double precision");
            }
            SchemaReport refilling = PostgresChunks.schemaReport(dataSource, "object");
            assertThat(refilling.same()).isFalse();
            assertThat(refilling.acceptable()).as(refilling.toString()).isTrue();
            assertThat(refilling.variants()).singleElement().satisfies(variant -> {
                assertThat(variant.tables()).isEqualTo(13);
                assertThat(variant.differences()).singleElement().satisfies(difference -> {
                    assertThat(difference.column()).isEqualTo("_spare_float64_1");
                    assertThat(difference.allowed()).isTrue();
                });
            });

            connection.createStatement().execute("ALTER TABLE object_17 DROP COLUMN flux");
            connection.createStatement().execute("ALTER TABLE object_23 ALTER COLUMN ra TYPE real");
            SchemaReport drifted = PostgresChunks.schemaReport(dataSource, "object");
            assertThat(drifted.tables()).isEqualTo(40);
            assertThat(drifted.tablesOff()).isEqualTo(2);
            assertThat(drifted.variants()).filteredOn(variant -> !variant.allowed())
                    .extracting(variant -> variant.named().get(0) + " " + variant.differences())
                    .containsExactlyInAnyOrder("object_17 [flux: missing, expected double precision]",
                            "object_23 [ra: another type, expected double precision, found real]");
            assertThatThrownBy(() -> PostgresChunks.verifySameSchema(connection, "object"))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_DRIFT);
                        assertThat(e.getMessage()).contains("of 40", "object_17", "object_23", "found real")
                                .doesNotContain("object_40");
                    });
        }
    }

    private static void execute(DataSource dataSource, String... statements) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long count(DataSource dataSource, String table, String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM " + table + " WHERE " + predicate)) {
            row.next();
            return row.getLong(1);
        }
    }
}
