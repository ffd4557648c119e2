package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.PostgresOptions.Strategy;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tables created through the library read back as the dialect's canonical form of their model. */
@PostgresTest
class PostgresRoundTripIT {
    private static final int ROWS = 300;
    private static final LocalDateTime EPOCH = LocalDateTime.of(2024, 3, 1, 0, 0);

    @Test
    void fastpathReadsBackAsItsCanonicalForm(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        Table model = Fastpath.model();

        evolution.createTable(model);

        assertThat(evolution.dialect()).isInstanceOf(PostgresDialect.class);
        assertThat(evolution.readTable(null, Fastpath.NAME, ReservePolicy.DEFAULT_PREFIX))
                .contains(evolution.dialect().canonical(model));
    }

    @Test
    void fastpathRowsWrittenThroughJdbcReadBackEqual(DataSource dataSource) throws SQLException {
        SchemaEvolution.connect(dataSource).createTable(Fastpath.model());
        List<Column> columns = Fastpath.model().columns().stream().filter(c -> c.defaultValue() == null).toList();
        List<List<Object>> written = new ArrayList<>();
        for (int row = 0; row < ROWS; row++) {
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                values.add(value(columns.get(i).type(), row, i));
            }
            written.add(values);
        }

        try (Connection connection = dataSource.getConnection()) {
            String names = String.join(", ", columns.stream().map(c -> "\"" + c.name() + "\"").toList());
            String marks = String.join(", ", columns.stream().map(c -> "?").toList());
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO fastpath (" + names + ") VALUES (" + marks + ")")) {
                for (List<Object> values : written) {
                    for (int i = 0; i < values.size(); i++) {
                        insert.setObject(i + 1, values.get(i));
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            List<List<Object>> read = new ArrayList<>();
            try (Statement select = connection.createStatement();
                 ResultSet row = select.executeQuery("SELECT " + names + ", update_time FROM fastpath ORDER BY measurement_uid")) {
                while (row.next()) {
                    List<Object> values = new ArrayList<>();
                    for (int i = 0; i < columns.size(); i++) {
                        values.add(row.getObject(i + 1, written.get(0).get(i).getClass()));
                    }
                    assertThat(row.getObject(columns.size() + 1, LocalDateTime.class)).as("update_time from its default").isNotNull();
                    read.add(values);
                }
            }
            assertThat(read).containsExactlyElementsOf(written);
        }
    }

    /** A value of the column's type that differs per row and column; row 0 sorts first by measurement_uid. */
    private static Object value(ColumnType type, int row, int column) {
        ColumnType base = PostgresTypes.canonical(type).withoutNullable();
        if (base == ColumnType.STRING) {
            return String.format("%05d-%02d-it's", row, column);
        }
        if (base == ColumnType.INT16) {
            return (short) (row % 100 - 50);
        }
        if (base == ColumnType.INT32) {
            return row * 1_000 + column;
        }
        if (base == ColumnType.FLOAT32) {
            return row / 4.0f;
        }
        if (base == ColumnType.DATETIME) {
            return EPOCH.plusMinutes(row).plusSeconds(column);
        }
        throw new IllegalArgumentException("no test value for " + type.sql());
    }

    @Test
    void everyMappableTypeWithDefaultsCommentsCompositeKeyAndRangePartitioningReadsBackCanonical(PostgresEndpoint postgres)
            throws SQLException {
        Table model = Table.builder("every_type").comment("one column per type, it's all here")
                .column(Column.of("day", ColumnType.DATE).withComment("partition column"))
                .column("id", ColumnType.INT64)
                .column(Column.of("i8", ColumnType.INT8).withDefault(ColumnDefault.literal(-1)))
                .column(Column.of("i16", ColumnType.INT16).withDefault(ColumnDefault.literal(7)))
                .column("i32", ColumnType.nullable(ColumnType.INT32))
                .column(Column.of("u8", ColumnType.UINT8).withDefault(ColumnDefault.literal(255)))
                .column("u16", ColumnType.UINT16)
                .column("u32", ColumnType.nullable(ColumnType.UINT32))
                .column(Column.of("u64", ColumnType.UINT64).withDefault(ColumnDefault.literal("18446744073709551615")))
                .column(Column.of("f32", ColumnType.FLOAT32).withDefault(ColumnDefault.literal("1.5")))
                .column(Column.of("f64", ColumnType.nullable(ColumnType.FLOAT64)).withDefault(ColumnDefault.literal("-0.25")))
                .column(Column.of("amount", ColumnType.decimal(18, 4)).withDefault(ColumnDefault.literal("0.5000")))
                .column(Column.of("label", ColumnType.STRING).withDefault(ColumnDefault.literal("it's \"quoted\"")))
                .column(Column.of("path", ColumnType.nullable(ColumnType.STRING)).withDefault(ColumnDefault.literal("C:\\tmp")))
                .column(Column.of("code", ColumnType.fixedString(2)).withDefault(ColumnDefault.literal("NL")))
                .column(Column.of("flag", ColumnType.BOOL).withDefault(ColumnDefault.literal(true)))
                .column(Column.of("created", ColumnType.DATETIME).withDefault(ColumnDefault.now()))
                .column(Column.of("first_seen", ColumnType.DATETIME).withDefault(ColumnDefault.literal("2024-01-01 10:00:00")))
                .column(Column.of("seen_ms", ColumnType.dateTime64(3)).withDefault(ColumnDefault.now().materialized()))
                .column("seen_us", ColumnType.nullable(ColumnType.dateTime64(6)))
                .column(Column.of("on_day", ColumnType.DATE).withDefault(ColumnDefault.now()))
                .column(Column.of("token", ColumnType.UUID).withDefault(ColumnDefault.expression("gen_random_uuid()")))
                .column(Column.of("ref", ColumnType.nullable(ColumnType.UUID))
                        .withDefault(ColumnDefault.literal("6F9619FF-8B86-D011-B42D-00CF4FC964FF")))
                .column("tags", ColumnType.arrayOf(ColumnType.lowCardinality(ColumnType.STRING)))
                .column("scores", ColumnType.arrayOf(ColumnType.nullable(ColumnType.FLOAT64)))
                .column("country", ColumnType.lowCardinality(ColumnType.nullable(ColumnType.STRING)))
                .reserve(ReservePolicy.builder().spares(ColumnType.UINT8, 2).spares(ColumnType.dateTime64(3), 1)
                        .spares(ColumnType.arrayOf(ColumnType.INT32), 1).build())
                .postgres(PostgresOptions.primaryKey("day", "id").partitionBy(Strategy.RANGE, "day"))
                .build();
        SchemaEvolution evolution = SchemaEvolution.connect(postgres.dataSource());

        evolution.createTable(model);

        Table canonical = evolution.dialect().canonical(model);
        assertThat(evolution.readTable(null, "every_type", ReservePolicy.DEFAULT_PREFIX)).contains(canonical);
        assertThat(evolution.readTable(postgres.schema(), "every_type", ReservePolicy.DEFAULT_PREFIX))
                .contains(canonical.toBuilder().schema(postgres.schema()).build());
        try (Connection connection = postgres.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE every_type_default PARTITION OF every_type DEFAULT");
            statement.execute("INSERT INTO every_type (day, id, u16, tags, scores, country) VALUES"
                    + " ('2024-05-01', 1, 65535, '{a,b}', '{1.5,NULL}', NULL)");
            try (ResultSet row = statement.executeQuery("SELECT i8, u64, label, path, code, flag, ref, u16 FROM every_type")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getInt(1)).isEqualTo(-1);
                assertThat(row.getBigDecimal(2)).isEqualByComparingTo("18446744073709551615");
                assertThat(row.getString(3)).isEqualTo("it's \"quoted\"");
                assertThat(row.getString(4)).isEqualTo("C:\\tmp");
                assertThat(row.getString(5)).isEqualTo("NL");
                assertThat(row.getBoolean(6)).isTrue();
                assertThat(row.getString(7)).isEqualTo("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
                assertThat(row.getInt(8)).isEqualTo(65535);
            }
        }
    }

    @Test
    void aTableThatDoesNotExistReadsAsEmpty(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);

        assertThat(evolution.readTable(null, "no_such_table", ReservePolicy.DEFAULT_PREFIX)).isEmpty();
        assertThat(evolution.exists(null, "no_such_table")).isFalse();
    }
}
