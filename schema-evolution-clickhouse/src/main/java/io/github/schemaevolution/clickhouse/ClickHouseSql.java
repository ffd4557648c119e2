package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;

/** ClickHouse literals: strings in single quotes with backslash escapes, numbers and booleans bare. */
final class ClickHouseSql {
    private ClickHouseSql() {
    }

    static String string(String text) {
        StringBuilder quoted = new StringBuilder("'");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> quoted.append("\\\\");
                case '\'' -> quoted.append("\\'");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                case '\0' -> quoted.append("\\0");
                default -> quoted.append(c);
            }
        }
        return quoted.append('\'').toString();
    }

    /** The expression after {@code DEFAULT}/{@code MATERIALIZED} for a column of {@code type}. */
    static String defaultValue(ColumnDefault.Value value, ColumnType type) {
        ColumnType base = baseOf(type);
        if (value instanceof ColumnDefault.Now) {
            return base instanceof ColumnType.DateTime64 dt ? "now64(" + dt.precision() + ")" : "now()";
        }
        if (value instanceof ColumnDefault.Expression expression) {
            return expression.sql();
        }
        String text = ((ColumnDefault.Literal) value).text();
        boolean bare = base instanceof ColumnType.Decimal
                || (base instanceof ColumnType.Scalar scalar && (scalar.isNumeric() || scalar == ColumnType.BOOL));
        return bare ? text : string(text);
    }

    /** Whether the server refused with {@code UNKNOWN_TABLE} (code 60). */
    static boolean unknownTable(java.sql.SQLException error) {
        return hasCode(error, "UNKNOWN_TABLE", 60);
    }

    /** Whether the server refused with the error {@code name}, code {@code number}, anywhere in the chain of causes. */
    static boolean hasCode(java.sql.SQLException error, String name, int number) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains(name) || errorCode(message).orElse(-1) == number)) {
                return true;
            }
        }
        return false;
    }

    private static final java.util.regex.Pattern ERROR_CODE = java.util.regex.Pattern.compile("Code: (\\d+)\\.");

    /** The server's error code in {@code message} ({@code Code: 60. DB::Exception ...}), if there is one. */
    static java.util.OptionalInt errorCode(String message) {
        java.util.regex.Matcher code = message == null ? null : ERROR_CODE.matcher(message);
        return code != null && code.find() ? java.util.OptionalInt.of(Integer.parseInt(code.group(1))) : java.util.OptionalInt.empty();
    }

    /** The type without Nullable and LowCardinality wrappers. */
    static ColumnType baseOf(ColumnType type) {
        ColumnType base = type.withoutNullable();
        return base instanceof ColumnType.LowCardinality low ? low.inner().withoutNullable() : base;
    }
}
