package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.ColumnTypeParser;
import io.github.schemaevolution.internal.Notation;
import io.github.schemaevolution.internal.Texts;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An engine-neutral column type. The notation of {@link #sql()} follows ClickHouse's, because it is
 * the richer of the two engines; each dialect maps these types to its own and refuses, with
 * {@link ErrorCode#TYPE_UNSUPPORTED}, a type it cannot hold.
 *
 * <p>Types are immutable values compared by content. Wrappers validate their arguments when built:
 * {@code Nullable(Nullable(T))}, {@code Nullable(Array(T))}, {@code Decimal(80, 2)} or types nested
 * deeper than {@link #MAX_NESTING} levels are refused with {@link ErrorCode#TYPE_INVALID}.
 */
public sealed interface ColumnType
        permits ColumnType.Scalar, ColumnType.Decimal, ColumnType.FixedString, ColumnType.DateTime64,
                ColumnType.Array, ColumnType.Nullable, ColumnType.LowCardinality, ColumnType.Enum8 {

    Scalar INT8 = Scalar.INT8;
    Scalar INT16 = Scalar.INT16;
    Scalar INT32 = Scalar.INT32;
    Scalar INT64 = Scalar.INT64;
    Scalar UINT8 = Scalar.UINT8;
    Scalar UINT16 = Scalar.UINT16;
    Scalar UINT32 = Scalar.UINT32;
    Scalar UINT64 = Scalar.UINT64;
    Scalar FLOAT32 = Scalar.FLOAT32;
    Scalar FLOAT64 = Scalar.FLOAT64;
    Scalar STRING = Scalar.STRING;
    Scalar BOOL = Scalar.BOOL;
    Scalar DATE = Scalar.DATE;
    Scalar DATETIME = Scalar.DATETIME;
    Scalar UUID = Scalar.UUID;

    /**
     * The deepest nesting of types accepted, counting the innermost type: {@code Int8} is one level,
     * {@code Array(Nullable(Int8))} three. Far beyond what a table needs, and shallow enough that
     * rendering and parsing never run out of stack.
     */
    int MAX_NESTING = 32;

    /** The canonical notation, for example {@code LowCardinality(String)} or {@code Decimal(18, 4)}. */
    String sql();

    /** Whether the column accepts NULL: true only for {@link Nullable} and {@code LowCardinality(Nullable(T))}. */
    default boolean isNullable() {
        return false;
    }

    /** This type without a {@code Nullable} wrapper (also inside {@code LowCardinality}). */
    default ColumnType withoutNullable() {
        return this;
    }

    /**
     * This type made nullable where the engines allow it: {@code T -> Nullable(T)},
     * {@code LowCardinality(T) -> LowCardinality(Nullable(T))}; arrays and already nullable types
     * are returned unchanged, since neither engine has a nullable array.
     */
    default ColumnType orNullable() {
        return new Nullable(this);
    }

    /** Parses the canonical notation; the inverse of {@link #sql()}. */
    static ColumnType parse(String notation) {
        return ColumnTypeParser.parse(notation);
    }

    static Decimal decimal(int precision, int scale) {
        return new Decimal(precision, scale);
    }

    static FixedString fixedString(int length) {
        return new FixedString(length);
    }

    static DateTime64 dateTime64(int precision) {
        return new DateTime64(precision);
    }

    static Array arrayOf(ColumnType element) {
        return new Array(element);
    }

    static Nullable nullable(ColumnType inner) {
        return new Nullable(inner);
    }

    static LowCardinality lowCardinality(ColumnType inner) {
        return new LowCardinality(inner);
    }

    static Enum8 enum8(List<Enum8.Value> values) {
        return new Enum8(values);
    }

    /** Types without parameters. */
    enum Scalar implements ColumnType {
        INT8("Int8"), INT16("Int16"), INT32("Int32"), INT64("Int64"),
        UINT8("UInt8"), UINT16("UInt16"), UINT32("UInt32"), UINT64("UInt64"),
        FLOAT32("Float32"), FLOAT64("Float64"),
        STRING("String"), BOOL("Bool"), DATE("Date"), DATETIME("DateTime"), UUID("UUID");

        private final String sql;

        Scalar(String sql) {
            this.sql = sql;
        }

        @Override
        public String sql() {
            return sql;
        }

        public boolean isInteger() {
            return ordinal() <= UINT64.ordinal();
        }

        public boolean isNumeric() {
            return ordinal() <= FLOAT64.ordinal();
        }
    }

    /** Exact decimal: precision 1..76 (ClickHouse's limit), scale 0..precision. */
    record Decimal(int precision, int scale) implements ColumnType {
        public Decimal {
            if (precision < 1 || precision > 76 || scale < 0 || scale > precision) {
                throw invalid("Decimal(" + precision + ", " + scale + ")",
                        "precision must be 1..76 and scale 0..precision");
            }
        }

        @Override
        public String sql() {
            return "Decimal(" + precision + ", " + scale + ")";
        }
    }

    /** Exactly {@code length} bytes. */
    record FixedString(int length) implements ColumnType {
        public FixedString {
            if (length < 1 || length > 65_535) {
                throw invalid("FixedString(" + length + ")", "length must be 1..65535");
            }
        }

        @Override
        public String sql() {
            return "FixedString(" + length + ")";
        }
    }

    /** Timestamp with {@code precision} sub-second digits, 0..9. */
    record DateTime64(int precision) implements ColumnType {
        public DateTime64 {
            if (precision < 0 || precision > 9) {
                throw invalid("DateTime64(" + precision + ")", "precision must be 0..9");
            }
        }

        @Override
        public String sql() {
            return "DateTime64(" + precision + ")";
        }
    }

    record Array(ColumnType element) implements ColumnType {
        public Array {
            if (element == null) {
                throw invalid("Array(null)", "the element type is required");
            }
            checkNesting("Array", element);
        }

        @Override
        public String sql() {
            return "Array(" + element.sql() + ")";
        }

        @Override
        public ColumnType orNullable() {
            return this;
        }
    }

    record Nullable(ColumnType inner) implements ColumnType {
        public Nullable {
            if (inner == null) {
                throw invalid("Nullable(null)", "the inner type is required");
            }
            checkNesting("Nullable", inner);
            if (inner instanceof Nullable || inner instanceof Array || inner instanceof LowCardinality) {
                throw invalid("Nullable(" + abbreviated(inner) + ")",
                        "Nullable cannot wrap Nullable, Array or LowCardinality (use LowCardinality(Nullable(T)))");
            }
        }

        @Override
        public String sql() {
            return "Nullable(" + inner.sql() + ")";
        }

        @Override
        public boolean isNullable() {
            return true;
        }

        @Override
        public ColumnType withoutNullable() {
            return inner;
        }

        @Override
        public ColumnType orNullable() {
            return this;
        }
    }

    /** Dictionary-encoded strings, numbers or dates, optionally nullable inside. */
    record LowCardinality(ColumnType inner) implements ColumnType {
        public LowCardinality {
            ColumnType base = inner == null ? null : inner.withoutNullable();
            boolean allowed = base instanceof FixedString
                    || (base instanceof Scalar scalar && scalar != Scalar.BOOL && scalar != Scalar.UUID);
            if (!allowed) {
                throw invalid("LowCardinality(" + (inner == null ? "null" : abbreviated(inner)) + ")",
                        "LowCardinality wraps only String, FixedString, numbers, Date and DateTime (optionally Nullable)");
            }
        }

        @Override
        public String sql() {
            return "LowCardinality(" + inner.sql() + ")";
        }

        @Override
        public boolean isNullable() {
            return inner.isNullable();
        }

        @Override
        public ColumnType withoutNullable() {
            return inner.isNullable() ? new LowCardinality(inner.withoutNullable()) : this;
        }

        @Override
        public ColumnType orNullable() {
            return inner.isNullable() ? this : new LowCardinality(new Nullable(inner));
        }
    }

    /** An enumeration of named Int8 values, kept in order of their codes (as ClickHouse reports them). */
    record Enum8(List<Value> values) implements ColumnType {
        public Enum8 {
            if (values != null && values.stream().anyMatch(java.util.Objects::isNull)) {
                throw invalid("Enum8", "a value is null");
            }
            values = values == null ? List.of()
                    : values.stream().sorted(java.util.Comparator.comparingInt(Value::code)).toList();
            if (values.isEmpty()) {
                throw invalid("Enum8()", "at least one value is required");
            }
            Set<String> names = new HashSet<>();
            Set<Integer> codes = new HashSet<>();
            for (Value value : values) {
                if (!names.add(value.name()) || !codes.add(value.code())) {
                    throw invalid("Enum8", "duplicate name or code: " + Texts.abbreviate(value.name(), 60) + " = " + value.code());
                }
            }
        }

        /** One named value; the name is any string, the code -128..127. */
        public record Value(String name, int code) {
            public Value {
                if (name == null || code < -128 || code > 127) {
                    throw invalid("Enum8", "value needs a name and a code in -128..127, got "
                            + Texts.abbreviate(name, 60) + " = " + code);
                }
                Texts.check(name, "Enum8 value name", null, null);
            }
        }

        @Override
        public String sql() {
            StringBuilder text = new StringBuilder("Enum8(");
            for (int i = 0; i < values.size(); i++) {
                Value value = values.get(i);
                text.append(i == 0 ? "" : ", ").append(Notation.quote(value.name())).append(" = ").append(value.code());
            }
            return text.append(')').toString();
        }
    }

    /** Refuses a wrapper around {@code inner} that would nest deeper than {@link #MAX_NESTING}. */
    private static void checkNesting(String wrapper, ColumnType inner) {
        int levels = 2;
        for (ColumnType type = inner; ; levels++) {
            if (levels > MAX_NESTING) {
                throw invalid(wrapper + "(...)", "types nest at most " + MAX_NESTING + " levels deep");
            }
            if (type instanceof Array array) {
                type = array.element();
            } else if (type instanceof Nullable nullable) {
                type = nullable.inner();
            } else if (type instanceof LowCardinality low) {
                type = low.inner();
            } else {
                return;
            }
        }
    }

    private static String abbreviated(ColumnType type) {
        return Texts.abbreviate(type.sql(), 120);
    }

    private static SchemaEvolutionException invalid(String type, String rule) {
        return new SchemaEvolutionException(ErrorCode.TYPE_INVALID, "invalid type " + type + ": " + rule);
    }
}
