package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Whether a column's default fits its type, so that a default the engine would refuse (a word for a
 * number, the current time for an integer, a date that is no date) is refused while the table is
 * built, never by the engine half-way through a change. Raw expressions are trusted SQL and only
 * checked by the engine.
 */
final class DefaultCheck {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]");

    private DefaultCheck() {
    }

    static void check(String table, Column column) {
        if (column.defaultValue() == null) {
            return;
        }
        String problem = problem(column.type(), column.defaultValue().value());
        if (problem != null) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, column.name(), problem, null);
        }
    }

    /** Why {@code value} cannot be the default of a {@code type} column, or {@code null} when it can. */
    static String problem(ColumnType type, ColumnDefault.Value value) {
        ColumnType base = type.withoutNullable();
        if (base instanceof ColumnType.LowCardinality low) {
            base = low.inner().withoutNullable();
        }
        if (value instanceof ColumnDefault.Now) {
            if (base != ColumnType.DATE && base != ColumnType.DATETIME && !(base instanceof ColumnType.DateTime64)) {
                return "the current time is a default of Date, DateTime and DateTime64 columns only";
            }
        } else if (value instanceof ColumnDefault.Literal literal && !fits(base, literal.text())) {
            return "default '" + Texts.abbreviate(literal.text(), 80) + "' is not a value of " + type.sql();
        }
        return null;
    }

    private static boolean fits(ColumnType type, String text) {
        if (type instanceof ColumnType.Scalar scalar) {
            return switch (scalar) {
                case INT8 -> integer(text, -128, 127);
                case INT16 -> integer(text, Short.MIN_VALUE, Short.MAX_VALUE);
                case INT32 -> integer(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case INT64 -> integer(text, Long.MIN_VALUE, Long.MAX_VALUE);
                case UINT8 -> unsigned(text, 8);
                case UINT16 -> unsigned(text, 16);
                case UINT32 -> unsigned(text, 32);
                case UINT64 -> unsigned(text, 64);
                case FLOAT32 -> real(text, Float.MAX_VALUE);
                case FLOAT64 -> real(text, Double.MAX_VALUE);
                case BOOL -> text.equals("true") || text.equals("false");
                case DATE -> date(text);
                case DATETIME -> dateTime(text);
                case UUID -> UUID.matcher(text).matches();
                case STRING -> true;
            };
        }
        if (type instanceof ColumnType.Decimal decimal) {
            return NUMBER.matcher(text).matches() && new BigDecimal(text).precision() - new BigDecimal(text).scale()
                    <= decimal.precision() - decimal.scale();
        }
        if (type instanceof ColumnType.FixedString fixed) {
            return text.getBytes(StandardCharsets.UTF_8).length <= fixed.length();
        }
        if (type instanceof ColumnType.DateTime64) {
            return dateTime(text);
        }
        if (type instanceof ColumnType.Enum8 enumeration) {
            return enumeration.values().stream().anyMatch(v -> v.name().equals(text));
        }
        // arrays: no literal form common to the engines
        return false;
    }

    private static boolean integer(String text, long min, long max) {
        return INTEGER.matcher(text).matches() && text.length() <= 40
                && new BigInteger(text).compareTo(BigInteger.valueOf(min)) >= 0
                && new BigInteger(text).compareTo(BigInteger.valueOf(max)) <= 0;
    }

    private static boolean unsigned(String text, int bits) {
        return INTEGER.matcher(text).matches() && text.length() <= 40 && new BigInteger(text).signum() >= 0
                && new BigInteger(text).bitLength() <= bits;
    }

    private static boolean real(String text, double max) {
        return NUMBER.matcher(text).matches() && new BigDecimal(text).abs().compareTo(BigDecimal.valueOf(max)) <= 0;
    }

    private static boolean date(String text) {
        try {
            LocalDate date = LocalDate.parse(text);
            // the range both engines hold (ClickHouse's Date ends in 2149)
            return date.getYear() >= 1970 && date.getYear() <= 2148;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean dateTime(String text) {
        try {
            LocalDateTime time = LocalDateTime.parse(text, DATE_TIME);
            return time.getYear() >= 1970 && time.getYear() <= 2105;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

}
