package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ColumnType.Array;
import io.github.schemaevolution.api.model.ColumnType.DateTime64;
import io.github.schemaevolution.api.model.ColumnType.Decimal;
import io.github.schemaevolution.api.model.ColumnType.Enum8;
import io.github.schemaevolution.api.model.ColumnType.FixedString;
import io.github.schemaevolution.api.model.ColumnType.LowCardinality;
import io.github.schemaevolution.api.model.ColumnType.Nullable;
import io.github.schemaevolution.api.model.ColumnType.Scalar;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model types to PostgreSQL types and back. PostgreSQL has no unsigned integers, no one-byte
 * integer and no dictionary encoding, so several model types share one PostgreSQL type;
 * {@link #canonical(ColumnType)} names the model type a PostgreSQL type reads back as.
 *
 * <p>Nullability is not part of a PostgreSQL type: {@link #sql} ignores {@code Nullable}, the
 * column definition renders {@code NOT NULL} instead.
 */
final class PostgresTypes {
    private static final String ENGINE = "postgresql";

    /** The largest fractional-second precision of a PostgreSQL timestamp (microseconds). */
    static final int MAX_TIMESTAMP_PRECISION = 6;

    private static final Map<String, ColumnType> PLAIN = Map.of(
            "smallint", ColumnType.INT16,
            "integer", ColumnType.INT32,
            "bigint", ColumnType.INT64,
            "real", ColumnType.FLOAT32,
            "double precision", ColumnType.FLOAT64,
            "text", ColumnType.STRING,
            "boolean", ColumnType.BOOL,
            "date", ColumnType.DATE,
            "uuid", ColumnType.UUID);

    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");
    private static final Pattern CHARACTER = Pattern.compile("character\\((\\d+)\\)");
    private static final Pattern TIMESTAMP = Pattern.compile("timestamp(?:\\((\\d+)\\))? without time zone");

    private PostgresTypes() {
    }

    /**
     * The PostgreSQL type of a model type, as {@code format_type} prints it, so that what is
     * rendered is what the catalog reports.
     *
     * @param table  table named in the refusal, or {@code null}
     * @param column column named in the refusal, or {@code null}
     * @throws SchemaEvolutionException TYPE_UNSUPPORTED naming the model type, the column and postgresql
     */
    static String sql(ColumnType type, String table, String column) {
        return render(type, type, table, column);
    }

    private static String render(ColumnType type, ColumnType declared, String table, String column) {
        if (type instanceof Nullable nullable) {
            return render(nullable.inner(), declared, table, column);
        }
        if (type instanceof LowCardinality low) {
            return render(low.inner(), declared, table, column);
        }
        if (type instanceof Scalar scalar) {
            return scalar(scalar);
        }
        if (type instanceof Decimal decimal) {
            return "numeric(" + decimal.precision() + "," + decimal.scale() + ")";
        }
        if (type instanceof FixedString fixed) {
            return "character(" + fixed.length() + ")";
        }
        if (type instanceof DateTime64 dateTime) {
            if (dateTime.precision() > MAX_TIMESTAMP_PRECISION) {
                throw unsupported(declared, table, column, "postgresql timestamps keep at most "
                        + MAX_TIMESTAMP_PRECISION + " fractional digits (microseconds); use DateTime64(6) or less");
            }
            return "timestamp(" + dateTime.precision() + ") without time zone";
        }
        if (type instanceof Array array) {
            if (array.element().withoutNullable() instanceof Array) {
                throw unsupported(declared, table, column, "postgresql arrays do not keep their dimension count, "
                        + "so a nested array would read back as a flat one");
            }
            return render(array.element(), declared, table, column) + "[]";
        }
        if (type instanceof Enum8) {
            throw unsupported(declared, table, column,
                    "postgresql enums need CREATE TYPE and are not supported yet; use String or Int16");
        }
        throw unsupported(declared, table, column, "no postgresql type is known for it");
    }

    private static String scalar(Scalar scalar) {
        return switch (scalar) {
            case INT8, INT16, UINT8 -> "smallint";
            case INT32, UINT16 -> "integer";
            case INT64, UINT32 -> "bigint";
            case UINT64 -> "numeric(20,0)";
            case FLOAT32 -> "real";
            case FLOAT64 -> "double precision";
            case STRING -> "text";
            case BOOL -> "boolean";
            case DATE -> "date";
            case DATETIME -> "timestamp(0) without time zone";
            case UUID -> "uuid";
        };
    }

    /**
     * The model type of a PostgreSQL type as {@code format_type} prints it. Only the types this
     * dialect creates are known; anything else is refused rather than read as something close.
     *
     * @throws SchemaEvolutionException TYPE_UNSUPPORTED when the model has no such type
     */
    static ColumnType model(String engineType) {
        String type = engineType == null ? "" : engineType.trim();
        if (type.endsWith("[]")) {
            return ColumnType.arrayOf(model(type.substring(0, type.length() - 2)));
        }
        ColumnType plain = PLAIN.get(type);
        if (plain != null) {
            return plain;
        }
        Matcher numeric = NUMERIC.matcher(type);
        if (numeric.matches()) {
            int precision = Integer.parseInt(numeric.group(1));
            int scale = Integer.parseInt(numeric.group(2));
            if (precision > 76) {
                throw noModelType(engineType, "model decimals hold at most 76 digits");
            }
            return ColumnType.decimal(precision, scale);
        }
        Matcher character = CHARACTER.matcher(type);
        if (character.matches()) {
            return ColumnType.fixedString(Integer.parseInt(character.group(1)));
        }
        Matcher timestamp = TIMESTAMP.matcher(type);
        if (timestamp.matches()) {
            // an unconstrained timestamp keeps microseconds
            int precision = timestamp.group(1) == null ? MAX_TIMESTAMP_PRECISION : Integer.parseInt(timestamp.group(1));
            return precision == 0 ? ColumnType.DATETIME : ColumnType.dateTime64(precision);
        }
        throw noModelType(engineType, "the model has no type it maps to");
    }

    /**
     * The model type that {@link #model} returns for the PostgreSQL type of {@code type}: small
     * and unsigned integers widen to the signed type that holds them, {@code LowCardinality} is
     * dropped, array elements lose {@code Nullable} (a PostgreSQL array element always accepts
     * NULL and the catalog does not say otherwise). Nullability of the column itself is kept.
     * Unsupported types are returned unchanged; {@link #sql} refuses them.
     */
    static ColumnType canonical(ColumnType type) {
        if (type instanceof Nullable nullable) {
            return ColumnType.nullable(canonical(nullable.inner()));
        }
        if (type instanceof LowCardinality low) {
            return canonical(low.inner());
        }
        if (type instanceof Array array) {
            return ColumnType.arrayOf(canonical(array.element()).withoutNullable());
        }
        if (type instanceof DateTime64 dateTime && dateTime.precision() == 0) {
            return ColumnType.DATETIME;
        }
        if (type instanceof Scalar scalar) {
            return switch (scalar) {
                case INT8, UINT8 -> ColumnType.INT16;
                case UINT16 -> ColumnType.INT32;
                case UINT32 -> ColumnType.INT64;
                case UINT64 -> ColumnType.decimal(20, 0);
                default -> scalar;
            };
        }
        return type;
    }

    /**
     * Whether {@code ALTER COLUMN ... TYPE} from one type to the other leaves the stored data as it
     * is. PostgreSQL skips the rewrite for the same type, for a numeric whose precision grows at the
     * same scale and for a timestamp whose precision grows; every other change (Int32 to Int64,
     * Float32 to Float64, String to FixedString, ...) rewrites the table and its indexes.
     */
    static boolean isMetadataOnlyChange(ColumnType from, ColumnType to) {
        ColumnType source = canonical(from.withoutNullable()).withoutNullable();
        ColumnType target = canonical(to.withoutNullable()).withoutNullable();
        if (sql(source, null, null).equals(sql(target, null, null))) {
            return true;
        }
        if (source instanceof Decimal a && target instanceof Decimal b) {
            return a.scale() == b.scale() && b.precision() >= a.precision();
        }
        int sourcePrecision = timestampPrecision(source);
        int targetPrecision = timestampPrecision(target);
        return sourcePrecision >= 0 && targetPrecision >= sourcePrecision;
    }

    /** Fractional digits of a timestamp type, or -1 for any other type. */
    private static int timestampPrecision(ColumnType type) {
        if (type == ColumnType.DATETIME) {
            return 0;
        }
        return type instanceof DateTime64 dateTime ? dateTime.precision() : -1;
    }

    private static SchemaEvolutionException unsupported(ColumnType type, String table, String column, String reason) {
        return new SchemaEvolutionException(ErrorCode.TYPE_UNSUPPORTED, table, column,
                "type " + type.sql() + " cannot be stored on " + ENGINE + ": " + reason, null);
    }

    private static SchemaEvolutionException noModelType(String engineType, String reason) {
        return new SchemaEvolutionException(ErrorCode.TYPE_UNSUPPORTED,
                ENGINE + " type '" + engineType + "' cannot be read into the model: " + reason);
    }
}
