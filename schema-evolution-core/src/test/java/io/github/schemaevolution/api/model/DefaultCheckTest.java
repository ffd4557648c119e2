package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultCheckTest {

    @Test
    void defaultsThatAreValuesOfTheirTypeBuild() {
        List<Column> columns = List.of(
                Column.of("a", ColumnType.INT8).withDefault(ColumnDefault.literal("-128")),
                Column.of("b", ColumnType.UINT64).withDefault(ColumnDefault.literal("18446744073709551615")),
                Column.of("c", ColumnType.FLOAT32).withDefault(ColumnDefault.literal("-1.5e3")),
                Column.of("d", ColumnType.decimal(18, 4)).withDefault(ColumnDefault.literal("12345678901234.5678")),
                Column.of("e", ColumnType.DATE).withDefault(ColumnDefault.literal("2026-12-02")),
                Column.of("f", ColumnType.dateTime64(3)).withDefault(ColumnDefault.literal("2026-12-02 10:11:12.345")),
                Column.of("g", ColumnType.UUID).withDefault(ColumnDefault.literal("123e4567-e89b-12d3-a456-426614174000")),
                Column.of("h", ColumnType.fixedString(4)).withDefault(ColumnDefault.literal("abcd")),
                Column.of("i", ColumnType.DATETIME).withDefault(ColumnDefault.now().materialized()),
                Column.of("j", ColumnType.INT32).withDefault(ColumnDefault.expression("toInt32(42)")));
        Table.Builder table = Table.builder("t");
        columns.forEach(table::column);
        assertThat(table.build().columns()).hasSize(columns.size());
    }

    @Test
    void defaultsTheEngineWouldRefuseAreRefusedWhileBuilding() {
        for (Column column : List.of(
                Column.of("a", ColumnType.INT8).withDefault(ColumnDefault.literal("128")),
                Column.of("a", ColumnType.UINT8).withDefault(ColumnDefault.literal("-1")),
                Column.of("a", ColumnType.FLOAT64).withDefault(ColumnDefault.literal("1e999999999999")),
                Column.of("a", ColumnType.decimal(4, 2)).withDefault(ColumnDefault.literal("123.4")),
                Column.of("a", ColumnType.DATE).withDefault(ColumnDefault.literal("abc")),
                Column.of("a", ColumnType.UUID).withDefault(ColumnDefault.literal("not-a-uuid")),
                Column.of("a", ColumnType.fixedString(2)).withDefault(ColumnDefault.literal("abc")),
                Column.of("a", ColumnType.BOOL).withDefault(ColumnDefault.literal("yes")),
                Column.of("a", ColumnType.INT32).withDefault(ColumnDefault.now()),
                Column.of("a", ColumnType.arrayOf(ColumnType.INT32)).withDefault(ColumnDefault.literal("[1]")))) {
            assertThatThrownBy(() -> Table.builder("t").column(column).build())
                    .as(column.toString())
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID);
                        assertThat(e.column()).contains("a");
                    });
        }
    }
}
