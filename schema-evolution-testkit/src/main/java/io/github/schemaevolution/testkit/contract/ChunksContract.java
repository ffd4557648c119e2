package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.Chunks;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.Table;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's {@link Chunks}: one piece of code, with no question of which engine it runs on, fills
 * and updates a column over key ranges, adds a column to every chunk table and a spare to some, and
 * reads the chunk tables' schemas back as data.
 */
public abstract class ChunksContract {
    /** The engine to test: a fresh schema or database per test, the data source's current one. */
    protected abstract DataSource dataSource();

    private static Table model(String name) {
        return Table.builder(name).column("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .column("y", ColumnType.nullable(ColumnType.FLOAT64))
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    @Test
    void oneCodeFillsAndUpdatesOverKeyRangesAndChangesEveryChunkTableOnEveryEngine() throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource());
        Chunks chunks = evolution.dialect().chunks();
        ChunkRunner runner = ChunkRunner.builder(dataSource(), evolution.dialect()).parallelism(2).build();
        evolution.create(model("readings"));
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO readings (id, x) VALUES (?, ?)")) {
            for (int id = 0; id < 1_000; id++) {
                insert.setLong(1, id);
                insert.setDouble(2, id / 4.0);
                insert.addBatch();
            }
            insert.executeBatch();
        }

        RunReport fill = runner.run("fill-y", chunks.keyRanges("readings", "id", 100), chunks.fill("y", "x * 2", Chunks.Options.DEFAULT));
        assertThat(fill.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(fill.chunksDone()).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM readings WHERE y = x * 2")).isEqualTo(1_000);
        RunReport update = runner.run("update-y", chunks.keyRanges("readings", "id", 100),
                chunks.update("y", "x * 3", "id < 100", Chunks.Options.DEFAULT));
        assertThat(update.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(count("SELECT count(*) FROM readings WHERE y = x * 3 AND x > 0")).isEqualTo(99);
        assertThat(runner.run("fill-y", chunks.keyRanges("readings", "id", 100), chunks.fill("y", "x * 2", Chunks.Options.DEFAULT))
                .chunksSkipped()).as("a finished run is not run again").isEqualTo(10);

        for (int chunk = 1; chunk <= 6; chunk++) {
            evolution.create(model("obj_" + chunk));
        }
        RunReport added = runner.run("add-flux", chunks.chunkTables("obj"), chunks.addColumn(Column.of("flux",
                ColumnType.nullable(ColumnType.FLOAT32))));
        assertThat(added.chunksDone()).isEqualTo(6);
        SchemaReport same = chunks.schemaReport(dataSource(), "obj");
        assertThat(same.same()).as(same.toString()).isTrue();
        assertThat(same.tables()).isEqualTo(6);
        assertThat(same.expected()).extracting(SchemaReport.ColumnShape::name).containsExactly("id", "x", "y", "flux");

        // a spare refilled on two chunk tables only: a difference that may stand
        runner.run("refill-some", connection -> Stream.of(new Chunk.ChunkTable("obj_2", 0), new Chunk.ChunkTable("obj_5", 0)),
                chunks.addColumn(Column.of("_spare_float64_1", ColumnType.nullable(ColumnType.FLOAT64))));
        SchemaReport refilling = chunks.schemaReport(dataSource(), "obj");
        assertThat(refilling.same()).isFalse();
        assertThat(refilling.acceptable()).as(refilling.toString()).isTrue();
        assertThat(refilling.variants()).singleElement().satisfies(variant -> {
            assertThat(variant.named()).containsExactly("obj_2", "obj_5");
            assertThat(variant.differences()).extracting(SchemaReport.Difference::column).containsExactly("_spare_float64_1");
        });
    }
}
