package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;

import java.util.regex.Pattern;

/**
 * PostgreSQL literals and column defaults, written and read back. A default is rendered so that
 * {@code pg_get_expr} prints it in a form {@link #parseDefault} maps to the same model value.
 */
final class PostgresSql {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /** A cast as {@code pg_get_expr} appends it: {@code ::integer}, {@code ::timestamp(3) without time zone}, {@code ::text[]}. */
    private static final Pattern CAST = Pattern.compile("(::[a-z][a-z0-9_ ]*(\\(\\d+(,\\d+)?\\))?[a-z ]*(\\[])*)*");

    /**
     * The current time as PostgreSQL prints it back: the SQL value functions since PostgreSQL 16,
     * {@code now()} and the {@code 'now'::text} casts before.
     */
    private static final Pattern NOW = Pattern.compile("(CURRENT_TIMESTAMP|LOCALTIMESTAMP)(\\(\\d\\))?|CURRENT_DATE"
            + "|now\\(\\)|transaction_timestamp\\(\\)|\\('now'::text\\)::(date|timestamp(\\(\\d\\))? with(out)? time zone)");

    private PostgresSql() {
    }

    /**
     * A string constant. Quotes are doubled; a text with a backslash becomes an {@code E''}
     * constant with the backslash doubled, which reads the same whatever
     * {@code standard_conforming_strings} says, so no setting can turn a backslash into an escape
     * that ends the string early.
     */
    static String string(String text) {
        String quoted = text.replace("'", "''");
        return text.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
    }

    /**
     * The expression after {@code DEFAULT} for a column of {@code type}: numbers bare, booleans
     * {@code TRUE}/{@code FALSE}, everything else a string constant the column type converts;
     * the current time is {@code LOCALTIMESTAMP} (the column type is a timestamp without time
     * zone) or {@code CURRENT_DATE} for a date.
     */
    static String defaultValue(ColumnDefault.Value value, ColumnType type, String table, String column) {
        ColumnType base = PostgresTypes.canonical(type).withoutNullable();
        if (value instanceof ColumnDefault.Now) {
            return base == ColumnType.DATE ? "CURRENT_DATE" : "LOCALTIMESTAMP";
        }
        if (value instanceof ColumnDefault.Expression expression) {
            return expression.sql();
        }
        String text = ((ColumnDefault.Literal) value).text();
        if (base == ColumnType.BOOL) {
            return Boolean.parseBoolean(text) ? "TRUE" : "FALSE";
        }
        boolean numeric = base instanceof ColumnType.Decimal || (base instanceof ColumnType.Scalar scalar && scalar.isNumeric());
        if (!numeric) {
            return string(text);
        }
        if (!NUMBER.matcher(text).matches()) {
            // the model checks numeric defaults too; rendered bare, anything else could be SQL
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, column,
                    "default '" + text + "' is not a plain number but the column is " + type.sql(), null);
        }
        return text;
    }

    /**
     * The model default for an expression {@code pg_get_expr} printed: a constant, possibly quoted
     * and cast ({@code 5}, {@code '-1'::integer}, {@code 'x'::text}, {@code true}), the current time,
     * or else the expression itself.
     */
    static ColumnDefault parseDefault(String expression) {
        String text = expression.trim();
        if (NOW.matcher(text).matches()) {
            return ColumnDefault.now();
        }
        if (NUMBER.matcher(text).matches() || text.equals("true") || text.equals("false")) {
            return ColumnDefault.literal(text);
        }
        String constant = quotedConstant(text);
        return constant != null ? ColumnDefault.literal(constant) : ColumnDefault.expression(text);
    }

    /**
     * The value of {@code 'text'::type}, or {@code null} when the expression is anything else.
     * PostgreSQL prints constants with doubled quotes and never as {@code E''}; backslashes are
     * printed as stored while {@code standard_conforming_strings} is on, its default since 9.1.
     */
    private static String quotedConstant(String text) {
        if (!text.startsWith("'")) {
            return null;
        }
        StringBuilder value = new StringBuilder();
        int i = 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                return CAST.matcher(text.substring(i + 1)).matches() ? value.toString() : null;
            }
            value.append(c);
            i++;
        }
        return null;
    }
}
