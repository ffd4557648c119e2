package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.PostgresOptions.Strategy;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.ViewColumn;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every refusal of the dialect, with its code, before any SQL exists. */
class PostgresValidationTest {
    private static final String NAME_63 = "n".repeat(63);
    private static final String NAME_64 = "n".repeat(64);

    private final PostgresDialect dialect = new PostgresDialect();

    private static Table.Builder table(String name) {
        return Table.builder(name).column("id", ColumnType.INT64);
    }

    private void assertCreateRefused(Table table, ErrorCode code, String... messageParts) {
        assertRefused(() -> dialect.createTable(table), code, messageParts);
    }

    private static void assertRefused(ThrowingCallable call, ErrorCode code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
    }

    @Test
    void fastpathIsValid() {
        assertThatCode(() -> dialect.validate(Fastpath.model())).doesNotThrowAnyException();
    }

    @Test
    void namesOf63BytesAreAccepted() {
        Table table = Table.builder(NAME_63).schema(NAME_63).column(NAME_63, ColumnType.INT64).build();

        assertThat(dialect.createTable(table).get(0).sql()).contains("\"" + NAME_63 + "\".\"" + NAME_63 + "\"");
    }

    @Test
    void tableNameOf64BytesIsRefused() {
        assertCreateRefused(table(NAME_64).build(), ErrorCode.IDENTIFIER_TOO_LONG, "64 bytes", "postgresql", "63");
    }

    @Test
    void columnNameOf64BytesIsRefused() {
        assertThatThrownBy(() -> dialect.createTable(table("t").column(NAME_64, ColumnType.INT32).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG);
                    assertThat(e.table()).contains("t");
                    assertThat(e.column()).contains(NAME_64);
                });
    }

    @Test
    void schemaNameOf64BytesIsRefused() {
        assertCreateRefused(table("t").schema(NAME_64).build(), ErrorCode.IDENTIFIER_TOO_LONG, "schema name");
    }

    @Test
    void spareNamesOver63BytesAreRefused() {
        String prefix = "_" + "p".repeat(55) + "_";
        Table table = table("t").reserve(ReservePolicy.builder().prefix(prefix).spares(ColumnType.FLOAT32, 1).build()).build();

        assertThatThrownBy(() -> dialect.createTable(table)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG);
            assertThat(e.column()).contains(prefix + "float32_1");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "analyze", "window", "variadic", "returning", "verbose", "Session_User"})
    void postgresReservedWordsAreRefusedForTablesColumnsAndSchemas(String word) {
        assertCreateRefused(table(word).build(), ErrorCode.IDENTIFIER_RESERVED, word, "postgresql");
        assertCreateRefused(table("t").column(word, ColumnType.INT32).build(), ErrorCode.IDENTIFIER_RESERVED, word);
        assertCreateRefused(table("t").schema(word).build(), ErrorCode.IDENTIFIER_RESERVED, word);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xmin", "ctid", "tableoid", "CMAX"})
    void systemColumnNamesAreRefused(String name) {
        assertCreateRefused(table("t").column(name, ColumnType.INT32).build(), ErrorCode.IDENTIFIER_RESERVED, "system column");
    }

    @Test
    void nonReservedKeyWordsAreAccepted() {
        Table table = table("domain").column("input", ColumnType.STRING).column("name", ColumnType.STRING)
                .column("type", ColumnType.STRING).build();

        assertThatCode(() -> dialect.validate(table)).doesNotThrowAnyException();
    }

    @Test
    void emptyAndUnsafeNamesNeverReachTheDialect() {
        assertRefused(() -> table("").build(), ErrorCode.IDENTIFIER_EMPTY);
        assertRefused(() -> table("t").column(" ", ColumnType.INT32).build(), ErrorCode.IDENTIFIER_EMPTY);
        assertRefused(() -> table("t").schema("").build(), ErrorCode.IDENTIFIER_EMPTY);
        assertRefused(() -> table("fast path").build(), ErrorCode.IDENTIFIER_UNSAFE);
        assertRefused(() -> table("t").column("a\"; DROP TABLE t; --", ColumnType.INT32).build(), ErrorCode.IDENTIFIER_UNSAFE);
        assertRefused(() -> table("t").schema("public.x").build(), ErrorCode.IDENTIFIER_UNSAFE);
    }

    @Test
    void namesGivenToTheDialectDirectlyAreCheckedToo() {
        Table table = Fastpath.model();

        assertRefused(() -> dialect.renameColumn(table, "input", ""), ErrorCode.IDENTIFIER_EMPTY);
        assertRefused(() -> dialect.renameColumn(table, "input", "in put"), ErrorCode.IDENTIFIER_UNSAFE);
        assertRefused(() -> dialect.renameColumn(table, "input", NAME_64), ErrorCode.IDENTIFIER_TOO_LONG);
        assertRefused(() -> dialect.renameColumn(table, "input", "user"), ErrorCode.IDENTIFIER_RESERVED);
        assertRefused(() -> dialect.renameColumn(table, "input", "xmax"), ErrorCode.IDENTIFIER_RESERVED);
        assertRefused(() -> dialect.addColumn(table, Column.of("limit", ColumnType.INT32)), ErrorCode.IDENTIFIER_RESERVED);
        assertRefused(() -> dialect.dropColumn(table, "a;b"), ErrorCode.IDENTIFIER_UNSAFE);
        assertRefused(() -> dialect.dropTable("", "t"), ErrorCode.IDENTIFIER_EMPTY);
        assertRefused(() -> dialect.dropTable(null, "t\""), ErrorCode.IDENTIFIER_UNSAFE);
        assertRefused(() -> dialect.dropView("s", NAME_64), ErrorCode.IDENTIFIER_TOO_LONG);
        assertRefused(() -> dialect.createOrReplaceView(null, "v", "t", List.of(new ViewColumn("id", "user"))),
                ErrorCode.IDENTIFIER_RESERVED);
    }

    @Test
    void duplicateNamesAreRefused() {
        assertRefused(() -> table("t").column("ID", ColumnType.INT32).build(), ErrorCode.IDENTIFIER_DUPLICATE);
        assertRefused(() -> dialect.createOrReplaceView(null, "v", "t",
                List.of(new ViewColumn("a", "x"), new ViewColumn("b", "X"))), ErrorCode.IDENTIFIER_DUPLICATE, "'X'");
        assertRefused(() -> dialect.createTable(table("t").column("name", ColumnType.STRING)
                .postgres(PostgresOptions.primaryKey("id", "name", "id")).build()), ErrorCode.MODEL_INVALID, "twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Enum8('ok' = 1, 'failed' = 2)", "DateTime64(9)", "Array(Array(Int32))",
            "Nullable(Enum8('ok' = 1))", "Array(DateTime64(7))"})
    void unmappableColumnTypesAreRefusedNamingColumnTableAndEngine(String notation) {
        ColumnType type = ColumnType.parse(notation);
        Table table = table("measurements").column("outcome", type).build();

        assertThatThrownBy(() -> dialect.createTable(table)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
            assertThat(e.table()).contains("measurements");
            assertThat(e.column()).contains("outcome");
            assertThat(e.getMessage()).contains(type.sql(), "postgresql", "measurements", "outcome");
        });
    }

    @Test
    void unmappableSpareTypesAreRefused() {
        Table table = table("t").reserve(ReservePolicy.builder().spares(ColumnType.dateTime64(9), 2).build()).build();

        assertCreateRefused(table, ErrorCode.TYPE_UNSUPPORTED, "DateTime64(9)", "_spare_datetime64_9_1");
    }

    @Test
    void primaryKeyWithNullableColumnIsRefused() {
        Table table = table("t").column("day", ColumnType.nullable(ColumnType.DATE))
                .postgres(PostgresOptions.primaryKey("id", "day")).build();

        assertThatThrownBy(() -> dialect.createTable(table)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID);
            assertThat(e.column()).contains("day");
            assertThat(e.getMessage()).contains("primary key", "Nullable");
        });
    }

    @Test
    void partitionedTableWhosePrimaryKeyLacksThePartitionColumnIsRefused() {
        Table table = table("t").column("day", ColumnType.DATE)
                .postgres(PostgresOptions.primaryKey("id").partitionBy(Strategy.RANGE, "day")).build();

        assertThatThrownBy(() -> dialect.createTable(table)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID);
            assertThat(e.column()).contains("day");
            assertThat(e.getMessage()).contains("partition column");
        });
    }

    @Test
    void partitionedTableWithoutPrimaryKeyOrWithAFullOneIsAccepted() {
        Table.Builder base = table("t").column("day", ColumnType.DATE);

        assertThatCode(() -> dialect.validate(base.postgres(PostgresOptions.NONE.partitionBy(Strategy.HASH, "id")).build()))
                .doesNotThrowAnyException();
        assertThatCode(() -> dialect.validate(base.postgres(PostgresOptions.primaryKey("day", "id")
                .partitionBy(Strategy.RANGE, "day")).build())).doesNotThrowAnyException();
    }

    @Test
    void listPartitioningTakesOneColumn() {
        Table table = table("t").column("day", ColumnType.DATE)
                .postgres(PostgresOptions.NONE.partitionBy(Strategy.LIST, "id", "day")).build();

        assertCreateRefused(table, ErrorCode.MODEL_INVALID, "LIST");
    }

    @Test
    void moreThan1600ColumnsAreRefused() {
        Table.Builder wide = table("wide");
        for (int i = 1; i < 1_600; i++) {
            wide.column("c" + i, ColumnType.INT32);
        }
        assertThatCode(() -> dialect.validate(wide.build())).doesNotThrowAnyException();

        Table tooWide = wide.reserve(ReservePolicy.builder().spares(ColumnType.INT32, 1).build()).build();
        assertCreateRefused(tooWide, ErrorCode.MODEL_INVALID, "1601 columns", "1600");
    }
}
