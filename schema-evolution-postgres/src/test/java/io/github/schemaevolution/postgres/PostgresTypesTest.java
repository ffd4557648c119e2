package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresTypesTest {
    private final PostgresDialect dialect = new PostgresDialect();

    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Int8                             | smallint                       | Int16
            Int16                            | smallint                       | Int16
            Int32                            | integer                        | Int32
            Int64                            | bigint                         | Int64
            UInt8                            | smallint                       | Int16
            UInt16                           | integer                        | Int32
            UInt32                           | bigint                         | Int64
            UInt64                           | numeric(20,0)                  | Decimal(20, 0)
            Float32                          | real                           | Float32
            Float64                          | double precision               | Float64
            Decimal(18, 4)                   | numeric(18,4)                  | Decimal(18, 4)
            Decimal(76, 0)                   | numeric(76,0)                  | Decimal(76, 0)
            String                           | text                           | String
            FixedString(2)                   | character(2)                   | FixedString(2)
            Bool                             | boolean                        | Bool
            Date                             | date                           | Date
            DateTime                         | timestamp(0) without time zone | DateTime
            DateTime64(0)                    | timestamp(0) without time zone | DateTime
            DateTime64(3)                    | timestamp(3) without time zone | DateTime64(3)
            DateTime64(6)                    | timestamp(6) without time zone | DateTime64(6)
            UUID                             | uuid                           | UUID
            Array(Int32)                     | integer[]                      | Array(Int32)
            Array(UInt8)                     | smallint[]                     | Array(Int16)
            Array(Nullable(String))          | text[]                         | Array(String)
            Array(LowCardinality(String))    | text[]                         | Array(String)
            Array(DateTime64(3))             | timestamp(3) without time zone[] | Array(DateTime64(3))
            LowCardinality(String)           | text                           | String
            LowCardinality(FixedString(3))   | character(3)                   | FixedString(3)
            """)
    void mapsBothWays(String model, String postgres, String canonical) {
        ColumnType type = ColumnType.parse(model);

        assertThat(dialect.typeSql(type)).isEqualTo(postgres);
        assertThat(dialect.modelType(postgres)).isEqualTo(ColumnType.parse(canonical));
        assertThat(PostgresTypes.canonical(type)).isEqualTo(ColumnType.parse(canonical));
    }

    @ParameterizedTest(name = "{0} -> {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Nullable(Int8)                   | smallint      | Nullable(Int16)
            Nullable(UInt64)                 | numeric(20,0) | Nullable(Decimal(20, 0))
            Nullable(String)                 | text          | Nullable(String)
            LowCardinality(Nullable(String)) | text          | Nullable(String)
            """)
    void nullableKeepsTheTypeAndOnlyDropsNotNull(String model, String postgres, String canonical) {
        ColumnType type = ColumnType.parse(model);

        assertThat(dialect.typeSql(type)).isEqualTo(postgres);
        assertThat(PostgresTypes.canonical(type)).isEqualTo(ColumnType.parse(canonical));
        assertThat(dialect.modelType(postgres)).isEqualTo(ColumnType.parse(canonical).withoutNullable());
    }

    @Test
    void unconstrainedTimestampReadsAsMicroseconds() {
        assertThat(dialect.modelType("timestamp without time zone")).isEqualTo(ColumnType.dateTime64(6));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jsonb", "numeric", "numeric(100,2)", "character varying(10)",
            "timestamp with time zone", "timestamp(3) with time zone", "\"char\"", "interval"})
    void typesThisDialectDoesNotCreateAreRefused(String postgres) {
        assertThatThrownBy(() -> dialect.modelType(postgres))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
                    assertThat(e.getMessage()).contains(postgres, "postgresql");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Enum8('a' = 1, 'b' = 2)", "DateTime64(9)", "DateTime64(7)", "Array(Array(Int32))",
            "Array(Enum8('a' = 1))", "Nullable(Enum8('a' = 1))", "Array(DateTime64(9))"})
    void unmappableTypesAreRefusedNamingTypeAndEngine(String model) {
        ColumnType type = ColumnType.parse(model);

        assertThatThrownBy(() -> dialect.typeSql(type))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
                    assertThat(e.getMessage()).contains(type.sql(), "postgresql");
                });
    }

    @Test
    void refusalsSayWhy() {
        assertThatThrownBy(() -> dialect.typeSql(ColumnType.parse("Enum8('a' = 1)")))
                .hasMessageContaining("CREATE TYPE").hasMessageContaining("not supported yet");
        assertThatThrownBy(() -> dialect.typeSql(ColumnType.dateTime64(9))).hasMessageContaining("microseconds");
        assertThatThrownBy(() -> dialect.typeSql(ColumnType.parse("Array(Array(Int32))"))).hasMessageContaining("dimension");
    }

    @ParameterizedTest(name = "{0} -> {1}: metadata only = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Int32                  | Int32                   | true
            Int8                   | Int16                   | true
            UInt16                 | Int32                   | true
            LowCardinality(String) | String                  | true
            Int32                  | Nullable(Int32)         | true
            Decimal(10, 2)         | Decimal(12, 2)          | true
            Decimal(10, 2)         | Decimal(10, 2)          | true
            Decimal(12, 2)         | Decimal(10, 2)          | false
            Decimal(10, 2)         | Decimal(12, 3)          | false
            DateTime               | DateTime64(3)           | true
            DateTime64(3)          | DateTime64(6)           | true
            DateTime64(6)          | DateTime64(3)           | false
            DateTime64(3)          | DateTime                | false
            Int32                  | Int64                   | false
            Int16                  | Int32                   | false
            Float32                | Float64                 | false
            String                 | FixedString(4)          | false
            FixedString(4)         | FixedString(8)          | false
            FixedString(4)         | String                  | false
            Array(Int32)           | Array(Int64)            | false
            Date                   | DateTime                | false
            """)
    void knowsWhichTypeChangesPostgresDoesWithoutRewrite(String from, String to, boolean metadataOnly) {
        assertThat(PostgresTypes.isMetadataOnlyChange(ColumnType.parse(from), ColumnType.parse(to))).isEqualTo(metadataOnly);
    }
}
