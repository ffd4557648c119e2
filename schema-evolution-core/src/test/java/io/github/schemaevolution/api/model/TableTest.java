package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT32;
import static io.github.schemaevolution.api.model.ColumnType.INT32;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    private static Table.Builder measurements() {
        return Table.builder("measurements").column("id", INT32).column("name", STRING);
    }

    private static void refused(ThrowingCallable build, ErrorCode code, String column) {
        assertThatThrownBy(build).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            if (column != null) {
                assertThat(e.column()).contains(column);
                assertThat(e.getMessage()).contains(column);
            }
        });
    }

    @Test
    void physicalColumnsAreUserColumnsThenSpares() {
        Table table = measurements().reserve(ReservePolicy.builder().spares(FLOAT32, 2).build()).build();
        assertThat(table.physicalColumns()).extracting(Column::name)
                .containsExactly("id", "name", "_spare_float32_1", "_spare_float32_2");
        assertThat(table.toBuilder().build()).isEqualTo(table);
    }

    @Test
    void emptyAndBlankNamesAreRefused() {
        refused(() -> Table.builder("").column("id", INT32).build(), ErrorCode.IDENTIFIER_EMPTY, null);
        refused(() -> measurements().column(" ", INT32).build(), ErrorCode.IDENTIFIER_EMPTY, null);
        refused(() -> measurements().schema("").build(), ErrorCode.IDENTIFIER_EMPTY, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"first name", "name\"; DROP TABLE x; --", "a-b", "1abc", "naïve", "tab\tname", "`x`"})
    void unsafeColumnNamesAreRefused(String name) {
        refused(() -> measurements().column(name, INT32).build(), ErrorCode.IDENTIFIER_UNSAFE, name);
    }

    @Test
    void unsafeTableNameIsRefusedNamingTheTable() {
        assertThatThrownBy(() -> Table.builder("x;y").column("id", INT32).build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_UNSAFE);
                    assertThat(e.table()).contains("x;y");
                });
    }

    @Test
    void overlongNamesAreRefused() {
        refused(() -> measurements().column("c".repeat(256), INT32).build(), ErrorCode.IDENTIFIER_TOO_LONG, "c".repeat(256));
    }

    @Test
    void reservedWordsAndTheSparePrefixAreRefused() {
        refused(() -> measurements().column("select", INT32).build(), ErrorCode.IDENTIFIER_RESERVED, "select");
        refused(() -> measurements().column("ORDER", INT32).build(), ErrorCode.IDENTIFIER_RESERVED, "ORDER");
        refused(() -> measurements().column("_spare_float32_9", FLOAT32).build(), ErrorCode.IDENTIFIER_RESERVED, "_spare_float32_9");
        refused(() -> measurements().column("x_1", INT32).reserve(ReservePolicy.builder().prefix("x_").spares(INT32, 1).build()).build(),
                ErrorCode.IDENTIFIER_RESERVED, "x_1");
    }

    @Test
    void duplicatesAreRefusedRegardlessOfCase() {
        refused(() -> measurements().column("Name", STRING).build(), ErrorCode.IDENTIFIER_DUPLICATE, "Name");
        refused(() -> measurements().column("id", INT32).build(), ErrorCode.IDENTIFIER_DUPLICATE, "id");
    }

    @Test
    void keysMustNameExistingColumns() {
        refused(() -> measurements().clickHouse(ClickHouseOptions.builder().orderBy("id", "missing").build()).build(),
                ErrorCode.MODEL_INVALID, "missing");
        refused(() -> measurements().postgres(PostgresOptions.primaryKey("nope")).build(), ErrorCode.MODEL_INVALID, "nope");
        refused(() -> measurements().clickHouse(ClickHouseOptions.builder().orderBy("id").index("idx", "ghost", "minmax", 1).build()).build(),
                ErrorCode.MODEL_INVALID, "ghost");
    }

    @Test
    void keysMayNotPointAtSpares() {
        ReservePolicy pool = ReservePolicy.builder().spares(INT32, 1).build();
        refused(() -> measurements().reserve(pool).clickHouse(ClickHouseOptions.builder().orderBy("_spare_int32_1").build()).build(),
                ErrorCode.MODEL_INVALID, "_spare_int32_1");
    }

    @Test
    void aTableNeedsColumns() {
        refused(() -> Table.builder("empty").build(), ErrorCode.MODEL_INVALID, null);
    }

    @Test
    void literalDefaultsMustFitTheType() {
        refused(() -> measurements().column(Column.of("ratio", FLOAT32).withDefault(ColumnDefault.literal("abc"))).build(),
                ErrorCode.MODEL_INVALID, "ratio");
        refused(() -> measurements().column(Column.of("ok", ColumnType.BOOL).withDefault(ColumnDefault.literal("yes"))).build(),
                ErrorCode.MODEL_INVALID, "ok");
        assertThat(measurements().column(Column.of("ratio", FLOAT32).withDefault(ColumnDefault.literal(0.5))).build()
                .column("ratio")).map(c -> c.defaultValue().value()).contains(new ColumnDefault.Literal("0.5"));
    }

    @Test
    void rawExpressionsThatCouldEndTheStatementAreRefused() {
        assertThatThrownBy(() -> ColumnDefault.expression("1); DROP TABLE t"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
        assertThatThrownBy(() -> ColumnDefault.expression("1 -- comment"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
        assertThatThrownBy(() -> ClickHouseOptions.PartitionKey.of("toYYYYMM(x), y", "x"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
        assertThatThrownBy(() -> ClickHouseOptions.builder().setting("index_granularity", "1; DROP").build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
        assertThatThrownBy(() -> ClickHouseOptions.builder().index("i", "x", "minmax) DROP", 1).build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
    }

    @Test
    void clickHousePrimaryKeyMustPrefixTheSortingKey() {
        assertThatThrownBy(() -> ClickHouseOptions.builder().orderBy("a", "b").primaryKey("b").build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
        assertThat(ClickHouseOptions.builder().orderBy("a", "b").primaryKey("a").build().primaryKey()).containsExactly("a");
    }
}
