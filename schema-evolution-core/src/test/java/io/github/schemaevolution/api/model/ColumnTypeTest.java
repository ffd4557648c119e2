package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColumnTypeTest {

    @ParameterizedTest
    @ValueSource(strings = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32",
            "Float64", "String", "Bool", "Date", "DateTime", "UUID", "Decimal(18, 4)", "FixedString(32)",
            "DateTime64(3)", "Array(Int32)", "Array(Array(String))", "Nullable(Float64)", "LowCardinality(String)",
            "LowCardinality(Nullable(String))", "Array(Nullable(Int8))", "Enum8('b\\'c' = -2, 'a' = 1)"})
    void notationRoundTrips(String notation) {
        assertThat(ColumnType.parse(notation).sql()).isEqualTo(notation);
    }

    @Test
    void parsesTimeZonesAsDisplayMetadata() {
        assertThat(ColumnType.parse("DateTime('UTC')")).isEqualTo(DATETIME);
        assertThat(ColumnType.parse("DateTime64(6, 'Europe/Rome')")).isEqualTo(dateTime64(6));
    }

    @Test
    void enumValuesAreKeptInCodeOrder() {
        assertThat(ColumnType.parse("Enum8('up' = 1, 'down' = -1)").sql()).isEqualTo("Enum8('down' = -1, 'up' = 1)");
    }

    @Test
    void structuredTypesAreValues() {
        assertThat(ColumnType.parse("Array(LowCardinality(String))")).isEqualTo(arrayOf(lowCardinality(STRING)));
        assertThat(enum8(List.of(new Enum8.Value("ok", 1)))).isEqualTo(ColumnType.parse("Enum8('ok' = 1)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Decimal(80, 2)", "Decimal(5, 6)", "FixedString(0)", "DateTime64(10)",
            "Nullable(Nullable(Int8))", "Nullable(Array(Int8))", "Nullable(LowCardinality(String))",
            "LowCardinality(UUID)", "LowCardinality(Array(String))", "Enum8('a' = 1, 'a' = 2)", "Enum8('a' = 200)",
            "Int128", "Float32(", "Array()", "", "String extra"})
    void malformedTypesAreRefused(String notation) {
        assertThatThrownBy(() -> ColumnType.parse(notation))
                .isInstanceOfSatisfying(SchemaEvolutionException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_INVALID));
    }

    @Test
    void nullabilityFollowsTheEnginesWrappingRules() {
        assertThat(FLOAT32.orNullable()).isEqualTo(nullable(FLOAT32));
        assertThat(lowCardinality(STRING).orNullable()).isEqualTo(lowCardinality(nullable(STRING)));
        assertThat(arrayOf(INT32).orNullable()).isEqualTo(arrayOf(INT32));
        assertThat(lowCardinality(nullable(STRING)).isNullable()).isTrue();
        assertThat(lowCardinality(nullable(STRING)).withoutNullable()).isEqualTo(lowCardinality(STRING));
        assertThat(nullable(INT64).withoutNullable()).isEqualTo(INT64);
    }

    @Test
    void nestingIsBoundedAt32LevelsAndEveryMalformedNotationIsTypeInvalid() {
        String deepest = "Array(".repeat(ColumnType.MAX_NESTING - 1) + "Int8" + ")".repeat(ColumnType.MAX_NESTING - 1);
        assertThat(ColumnType.parse(deepest).sql()).isEqualTo(deepest);
        for (String bad : new String[] {"Array(" + deepest + ")", "Array(".repeat(100_000) + "Int8" + ")".repeat(100_000),
                "", null, "Array(Int8", "Int8)", "FixedString(99999999999)", "FixedString(\u0663)", "Decimal(", "\0", "Int8 Int8"}) {
            assertThatThrownBy(() -> ColumnType.parse(bad))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_INVALID));
        }
        assertThatThrownBy(() -> ColumnType.arrayOf(ColumnType.parse(deepest)))
                .isInstanceOfSatisfying(SchemaEvolutionException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_INVALID));
    }
}
