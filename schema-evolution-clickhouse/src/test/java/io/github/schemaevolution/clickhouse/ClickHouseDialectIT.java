package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.ViewColumn;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every DDL form the ClickHouse dialect emits, run on a real ClickHouse and read back. */
@ClickHouseTest
class ClickHouseDialectIT {
    private final ClickHouseDialect dialect = new ClickHouseDialect();

    @Test
    void fastpathIsCreatedAndReadsBackEqualToItsModel(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        assertThat(evolution.dialect()).isInstanceOf(ClickHouseDialect.class);
        for (Table model : List.of(Fastpath.model(), Fastpath.partitionedByMonth().toBuilder().schema(null).build())) {
            evolution.dropTable(null, model.name());
            evolution.createTable(model);
            assertThat(evolution.readTable(null, model.name(), ReservePolicy.DEFAULT_PREFIX)).contains(dialect.canonical(model));
        }
    }

    @Test
    void everyEngineKeyAndDefaultFormReadsBack(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        List<Table> models = List.of(
                Table.builder("summing").column("day", DATE).column("cc", lowCardinality(STRING)).column("hits", UINT64)
                        .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.SummingMergeTree(List.of("hits")))
                                .orderBy("day", "cc").primaryKey("day").partitionBy(ClickHouseOptions.PartitionKey.of("toYYYYMM", "day"))
                                .build()).build(),
                Table.builder("collapsing").column("id", UINT64).column("sign", INT8)
                        .column(Column.of("note", STRING).withDefault(ColumnDefault.literal("it's")).withComment("a 'quoted' comment"))
                        .column(Column.of("score", FLOAT64).withDefault(ColumnDefault.literal(-1.5)))
                        .column(Column.of("seen", DATETIME).withDefault(ColumnDefault.now()))
                        .column(Column.of("twice", INT64).withDefault(ColumnDefault.expression("toInt64(id) * 2").materialized()))
                        .comment("engine forms")
                        .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.CollapsingMergeTree("sign"))
                                .orderBy("id").setting("index_granularity", 1024).build()).build(),
                Table.builder("every_type").column("id", UINT32).column("i8", INT8).column("i16", INT16).column("i64", INT64)
                        .column("u8", UINT8).column("u16", UINT16).column("u64", UINT64).column("f32", FLOAT32)
                        .column("dec", decimal(38, 10)).column("fs", fixedString(16)).column("b", BOOL).column("u", UUID)
                        .column("dt64", dateTime64(6)).column("arr", arrayOf(arrayOf(nullable(INT32))))
                        .column("lcn", lowCardinality(nullable(STRING)))
                        .column("e", ColumnType.parse("Enum8('up' = 1, 'down' = -1)"))
                        .reserve(ReservePolicy.builder().spares(decimal(18, 4), 2).spares(lowCardinality(STRING), 1).build())
                        .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.ReplacingMergeTree(null)).orderBy("id").build())
                        .build());
        for (Table model : models) {
            evolution.createTable(model);
            assertThat(evolution.readTable(null, model.name(), ReservePolicy.DEFAULT_PREFIX)).as(model.name())
                    .contains(dialect.canonical(model));
        }
    }

    @Test
    void altersViewsAndDropsRunAndReadBack(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        Table table = Table.builder("alters").column("id", UINT64).column("ratio", FLOAT32).column("name", STRING)
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).build();
        evolution.createTable(table);
        execute(dataSource, "INSERT INTO alters VALUES (1, 0.5, 'a'), (2, 1.5, 'b')");
        evolution.execute(List.of(
                dialect.addColumn(table, Column.of("extra", nullable(INT32))),
                dialect.addColumn(table, Column.of("extra", nullable(INT32))),
                dialect.renameColumn(table, "name", "label"),
                dialect.changeColumnType(table, "ratio", FLOAT64),
                dialect.clearColumn(table, "label", STRING).get(0),
                dialect.dropColumn(table, "extra"),
                dialect.dropColumn(table, "extra"),
                dialect.createOrReplaceView(null, "alters_v", "alters",
                        List.of(ViewColumn.same("id"), new ViewColumn("ratio", "r", FLOAT32), ViewColumn.nullAs("gone", INT32)))));
        Table live = evolution.readTable(null, "alters", ReservePolicy.DEFAULT_PREFIX).orElseThrow();
        assertThat(live.columns()).extracting(Column::name).containsExactly("id", "ratio", "label");
        assertThat(live.column("ratio")).map(Column::type).contains(FLOAT64);
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT toTypeName(r), sum(r), countIf(gone IS NULL), any(label) FROM alters_v, alters WHERE alters_v.id = alters.id")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("Float32");
            assertThat(row.getDouble(2)).isEqualTo(2.0);
            assertThat(row.getLong(3)).isEqualTo(2);
            assertThat(row.getString(4)).isEmpty();
        }
        evolution.execute(List.of(dialect.dropView(null, "alters_v"), dialect.dropTable(null, "alters")));
        assertThat(evolution.exists(null, "alters")).isFalse();
    }

    @Test
    void refusalsLeaveNothingBehind(ClickHouseEndpoint endpoint) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(endpoint.dataSource());
        List<Supplier<Table>> refused = List.of(
                () -> Table.builder("bad_key").column("k", nullable(INT32)).clickHouse(ClickHouseOptions.builder().orderBy("k").build()).build(),
                () -> Table.builder("bad_word").column("prewhere", INT32).build(),
                () -> Table.builder("x".repeat(256)).column("k", INT32).build(),
                () -> Table.builder("bad name").column("k", INT32).build());
        for (Supplier<Table> table : refused) {
            assertThatThrownBy(() -> evolution.createTable(table.get())).isInstanceOf(SchemaEvolutionException.class);
        }
        try (Connection connection = endpoint.dataSource().getConnection();
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT count() FROM system.tables WHERE database = currentDatabase()")) {
            row.next();
            assertThat(row.getLong(1)).isZero();
        }
        evolution.createTable(Table.builder("twice").column("k", INT32).build());
        assertThatThrownBy(() -> evolution.createTable(Table.builder("twice").column("k", INT64).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_EXISTS));
        assertThat(evolution.readTable(null, "twice", ReservePolicy.DEFAULT_PREFIX).orElseThrow().column("k"))
                .map(Column::type).contains(INT32);
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(sql);
        }
    }
}
