package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.PostgresOptions.Strategy;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What the dialect refuses never reaches the server: the refusal comes first and nothing is created. */
@PostgresTest
class PostgresRefusalIT {
    private static final String LONG = "measurements_of_the_fastpath_pipeline_with_a_name_that_is_too_long";

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("table name of 64 bytes", table(LONG.substring(0, 64)), ErrorCode.IDENTIFIER_TOO_LONG),
                refusal("reserved table name", table("user"), ErrorCode.IDENTIFIER_RESERVED),
                refusal("column name of 64 bytes", table("t").column(LONG.substring(0, 64), ColumnType.INT32),
                        ErrorCode.IDENTIFIER_TOO_LONG),
                refusal("reserved column name", table("t").column("analyze", ColumnType.INT32), ErrorCode.IDENTIFIER_RESERVED),
                refusal("system column name", table("t").column("xmin", ColumnType.INT32), ErrorCode.IDENTIFIER_RESERVED),
                refusal("schema name of 64 bytes", table("t").schema(LONG.substring(0, 64)), ErrorCode.IDENTIFIER_TOO_LONG),
                refusal("reserved schema name", table("t").schema("current_user"), ErrorCode.IDENTIFIER_RESERVED),
                refusal("spare name over 63 bytes", table("t").reserve(ReservePolicy.builder()
                        .prefix("_" + "s".repeat(55) + "_").spares(ColumnType.INT32, 1).build()), ErrorCode.IDENTIFIER_TOO_LONG),
                refusal("Enum8", table("t").column("outcome", ColumnType.parse("Enum8('ok' = 1, 'failed' = 2)")),
                        ErrorCode.TYPE_UNSUPPORTED),
                refusal("DateTime64(9)", table("t").column("at", ColumnType.dateTime64(9)), ErrorCode.TYPE_UNSUPPORTED),
                refusal("Array(Array(Int32))", table("t").column("matrix", ColumnType.parse("Array(Array(Int32))")),
                        ErrorCode.TYPE_UNSUPPORTED),
                refusal("nullable primary key column", table("t").column("day", ColumnType.nullable(ColumnType.DATE))
                        .postgres(PostgresOptions.primaryKey("id", "day")), ErrorCode.MODEL_INVALID),
                refusal("primary key without the partition column", table("t").column("day", ColumnType.DATE)
                        .postgres(PostgresOptions.primaryKey("id").partitionBy(Strategy.RANGE, "day")), ErrorCode.MODEL_INVALID));
    }

    private static Table.Builder table(String name) {
        return Table.builder(name).column("id", ColumnType.INT64);
    }

    private static Arguments refusal(String name, Table.Builder table, ErrorCode code) {
        return arguments(Named.of(name, table.build()), code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedBeforeAnyTableOrSchemaExists(Table table, ErrorCode code, DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);

        assertThatThrownBy(() -> evolution.createTable(table))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThat(found(dataSource, "pg_class", "relname", table.name())).isEmpty();
        if (table.schema() != null) {
            assertThat(found(dataSource, "pg_namespace", "nspname", table.schema())).isEmpty();
        }
    }

    @Test
    void secondCreateIsTableExistsAndLeavesTheTableAsItWas(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.createTable(Fastpath.model());
        Table other = Fastpath.builder().column("extra", ColumnType.INT32).build();

        assertThatThrownBy(() -> evolution.createTable(other))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TABLE_EXISTS);
                    assertThat(e.table()).contains(Fastpath.NAME);
                });
        assertThat(evolution.readTable(null, Fastpath.NAME, ReservePolicy.DEFAULT_PREFIX))
                .contains(evolution.dialect().canonical(Fastpath.model()));
    }

    @Test
    void everyKeyWordTheServerReservesIsRefused(DataSource dataSource) throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        List<String> reserved = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")) {
            while (row.next()) {
                reserved.add(row.getString(1));
            }
        }

        assertThat(reserved).isNotEmpty().allSatisfy(word ->
                assertThatThrownBy(() -> dialect.identifiers().check(Kind.COLUMN, "t", word))
                        .isInstanceOfSatisfying(SchemaEvolutionException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_RESERVED)));
    }

    /** Catalog rows named {@code name} or its first 63 bytes, what PostgreSQL would have cut it to. */
    private static List<String> found(DataSource dataSource, String catalog, String nameColumn, String name) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + nameColumn + " FROM " + catalog
                     + " WHERE " + nameColumn + " IN (?, left(?, 63))")) {
            select.setString(1, name);
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.add(row.getString(1));
                }
            }
        }
        return found;
    }
}
