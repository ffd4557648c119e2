package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.DdlStatement.Cost;
import io.github.schemaevolution.spi.ViewColumn;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Column changes, views and their costs, checked against what the server does. */
@PostgresTest
class PostgresAlterIT {
    private static final Table SENSORS = Table.builder("sensors")
            .column("id", ColumnType.INT64)
            .column("reading", ColumnType.FLOAT32)
            .column("samples", ColumnType.INT32)
            .column("amount", ColumnType.decimal(10, 2))
            .column("taken", ColumnType.DATETIME)
            .column("site", ColumnType.lowCardinality(ColumnType.STRING))
            .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 2).build())
            .postgres(PostgresOptions.primaryKey("id"))
            .build();

    private final Dialect dialect = new PostgresDialect();

    @Test
    void viewsAnswerUnderTheirAliasesAndFollowRenames(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.createTable(SENSORS);
        query(dataSource, "INSERT INTO sensors VALUES (1, 0.5, 3, 12.34, '2024-01-01 10:00:00', 'ams', 42.5, NULL)");

        evolution.execute(List.of(dialect.createOrReplaceView(null, "sensors_v1", "sensors", List.of(
                ViewColumn.same("id"), new ViewColumn("_spare_float64_1", "latency"),
                new ViewColumn("samples", "samples_wide", ColumnType.INT64), ViewColumn.nullAs("retired", ColumnType.STRING)))));

        assertThat(query(dataSource, "SELECT id, latency, samples_wide, retired FROM sensors_v1"))
                .containsExactly(List.of("1", "42.5", "3", "null"));

        evolution.execute(List.of(
                dialect.createOrReplaceView(null, "sensors_v1", "sensors", List.of(
                        ViewColumn.same("id"), new ViewColumn("_spare_float64_1", "latency"),
                        new ViewColumn("samples", "samples_wide", ColumnType.INT64), ViewColumn.nullAs("retired", ColumnType.STRING),
                        new ViewColumn("site", "place"))),
                dialect.renameColumn(SENSORS, "_spare_float64_1", "latency_ms")));

        assertThat(query(dataSource, "SELECT latency, place FROM sensors_v1")).containsExactly(List.of("42.5", "ams"));
        evolution.execute(List.of(dialect.dropView(null, "sensors_v1")));
        assertThat(query(dataSource, "SELECT count(*) FROM pg_views WHERE viewname = 'sensors_v1'")).containsExactly(List.of("0"));
    }

    @Test
    void addRenameDropAndChangeTypeIntrospectAsExpected(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.createTable(SENSORS);

        evolution.execute(List.of(
                dialect.addColumn(SENSORS, Column.of("note", ColumnType.nullable(ColumnType.STRING)).withComment("free text")),
                dialect.addColumn(SENSORS, Column.of("retries", ColumnType.INT8).withDefault(ColumnDefault.literal(0))),
                dialect.renameColumn(SENSORS, "reading", "reading_c"),
                dialect.dropColumn(SENSORS, "site"),
                dialect.changeColumnType(SENSORS, "samples", ColumnType.INT64),
                dialect.changeColumnType(SENSORS, "amount", ColumnType.nullable(ColumnType.decimal(12, 2))),
                dialect.renameColumn(SENSORS, "_spare_float64_2", "latency")));

        Table expected = Table.builder("sensors")
                .column("id", ColumnType.INT64)
                .column("reading_c", ColumnType.FLOAT32)
                .column("samples", ColumnType.INT64)
                .column("amount", ColumnType.nullable(ColumnType.decimal(12, 2)))
                .column("taken", ColumnType.DATETIME)
                .column("latency", ColumnType.nullable(ColumnType.FLOAT64))
                .column("note", ColumnType.nullable(ColumnType.STRING))
                .column(Column.of("retries", ColumnType.INT16).withDefault(ColumnDefault.literal(0)))
                .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 1).build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
        // COMMENT is not part of ADD COLUMN: the added column reads back without one
        assertThat(evolution.readTable(null, "sensors", ReservePolicy.DEFAULT_PREFIX)).contains(expected);
    }

    @Test
    void statementsCostedInstantKeepTheTableFileAndRewritesReplaceIt(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.createTable(SENSORS);
        query(dataSource, "INSERT INTO sensors SELECT g, g / 2.0, g, g, '2024-01-01', 'x' FROM generate_series(1, 1000) g");
        List<DdlStatement> statements = List.of(
                dialect.renameColumn(SENSORS, "site", "place"),
                dialect.addColumn(SENSORS, Column.of("note", ColumnType.nullable(ColumnType.STRING))),
                dialect.addColumn(SENSORS, Column.of("retries", ColumnType.INT32).withDefault(ColumnDefault.literal(0))),
                dialect.changeColumnType(SENSORS, "amount", ColumnType.decimal(14, 2)),
                dialect.changeColumnType(SENSORS, "taken", ColumnType.dateTime64(3)),
                dialect.dropColumn(SENSORS, "_spare_float64_2"),
                dialect.changeColumnType(SENSORS, "samples", ColumnType.INT64),
                dialect.changeColumnType(SENSORS, "reading", ColumnType.FLOAT64));

        List<String> observed = new ArrayList<>();
        for (DdlStatement statement : statements) {
            String before = relfilenode(dataSource);
            evolution.execute(List.of(statement));
            boolean rewritten = !relfilenode(dataSource).equals(before);
            observed.add((rewritten ? Cost.REWRITE : Cost.INSTANT) + ": " + statement.sql());
        }

        assertThat(observed).containsExactlyElementsOf(statements.stream().map(s -> s.cost() + ": " + s.sql()).toList());
        assertThat(statements).extracting(DdlStatement::cost).contains(Cost.INSTANT, Cost.REWRITE);
    }

    @Test
    void aFailingStatementRollsBackTheWholeBatch(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.createTable(SENSORS);

        assertThatThrownBy(() -> evolution.execute(List.of(
                dialect.addColumn(SENSORS, Column.of("note", ColumnType.nullable(ColumnType.STRING))),
                dialect.renameColumn(SENSORS, "no_such_column", "other"))))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_ERROR));

        assertThat(evolution.readTable(null, "sensors", ReservePolicy.DEFAULT_PREFIX)).contains(dialect.canonical(SENSORS));
    }

    @Test
    void migrationsTakeSparesFromThePoolAndKeepAHistory(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(SENSORS);

        ApplyResult applied = evolution.apply(Migration.builder("add-latency", "sensors").add("latency", ColumnType.FLOAT64.orNullable()).build());
        ApplyResult again = evolution.apply(Migration.builder("add-latency", "sensors").add("latency", ColumnType.FLOAT64.orNullable()).build());

        assertThat(applied.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(again.outcome()).isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
        assertThat(evolution.history(null, "sensors")).hasSize(2);
        assertThat(evolution.verify(null, "sensors").isEmpty()).isTrue();
        Table live = evolution.readTable(null, "sensors", ReservePolicy.DEFAULT_PREFIX).orElseThrow();
        assertThat(live.column("latency")).map(Column::type).contains(ColumnType.nullable(ColumnType.FLOAT64));
        assertThat(live.reserve().totalSpares()).isEqualTo(1);
    }

    private static String relfilenode(DataSource dataSource) throws SQLException {
        return query(dataSource, "SELECT relfilenode FROM pg_class WHERE oid = 'sensors'::regclass").get(0).get(0);
    }

    /** Runs a statement; for a query, its rows as text. */
    private static List<List<String>> query(DataSource dataSource, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); java.sql.Statement statement = connection.createStatement()) {
            if (!statement.execute(sql)) {
                return rows;
            }
            try (ResultSet row = statement.getResultSet()) {
                int width = row.getMetaData().getColumnCount();
                while (row.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 1; i <= width; i++) {
                        values.add(String.valueOf(row.getString(i)));
                    }
                    rows.add(values);
                }
            }
        }
        return rows;
    }
}
