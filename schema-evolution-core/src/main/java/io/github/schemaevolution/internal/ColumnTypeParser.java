package io.github.schemaevolution.internal;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for the canonical type notation ({@link ColumnType#sql()}), which is
 * also what ClickHouse reports in {@code system.columns.type} for the types the model knows.
 * Nesting is bounded by {@link ColumnType#MAX_NESTING} before it can exhaust the stack, and every
 * malformed text (unbalanced parentheses, numbers out of range, unknown names) is a TYPE_INVALID.
 */
public final class ColumnTypeParser {
    /** How much of the notation a message quotes. */
    private static final int QUOTED_LENGTH = 120;

    private final String text;
    private int pos;
    private int depth;

    private ColumnTypeParser(String text) {
        this.text = text;
    }

    public static ColumnType parse(String notation) {
        if (notation == null || notation.isBlank()) {
            throw new SchemaEvolutionException(ErrorCode.TYPE_INVALID, "empty type notation");
        }
        ColumnTypeParser parser = new ColumnTypeParser(notation);
        ColumnType type = parser.type();
        parser.skipSpaces();
        if (parser.pos != notation.length()) {
            throw parser.error("unexpected text after the type");
        }
        return type;
    }

    private ColumnType type() {
        if (++depth > ColumnType.MAX_NESTING) {
            throw error("types nest at most " + ColumnType.MAX_NESTING + " levels deep");
        }
        try {
            return unnested();
        } finally {
            depth--;
        }
    }

    private ColumnType unnested() {
        skipSpaces();
        String name = word();
        switch (name) {
            case "Decimal": {
                expect('(');
                int precision = number();
                expect(',');
                int scale = number();
                expect(')');
                return ColumnType.decimal(precision, scale);
            }
            case "FixedString": {
                expect('(');
                int length = number();
                expect(')');
                return ColumnType.fixedString(length);
            }
            case "DateTime64": {
                expect('(');
                int precision = number();
                skipTimeZone();
                expect(')');
                return ColumnType.dateTime64(precision);
            }
            case "Array":
                return ColumnType.arrayOf(wrapped());
            case "Nullable":
                return ColumnType.nullable(wrapped());
            case "LowCardinality":
                return ColumnType.lowCardinality(wrapped());
            case "Enum8":
                return enum8();
            case "DateTime":
                if (peek() == '(') {
                    // DateTime('UTC'): the zone is display metadata, the stored value is the same
                    expect('(');
                    quoted();
                    expect(')');
                }
                return ColumnType.DATETIME;
            default:
                for (ColumnType.Scalar scalar : ColumnType.Scalar.values()) {
                    if (scalar.sql().equals(name)) {
                        return scalar;
                    }
                }
                throw error("unknown type '" + name + "'");
        }
    }

    private ColumnType wrapped() {
        expect('(');
        ColumnType inner = type();
        expect(')');
        return inner;
    }

    private ColumnType enum8() {
        expect('(');
        List<ColumnType.Enum8.Value> values = new ArrayList<>();
        do {
            String name = quoted();
            expect('=');
            values.add(new ColumnType.Enum8.Value(name, number()));
        } while (optional(','));
        expect(')');
        return ColumnType.enum8(values);
    }

    private void skipTimeZone() {
        if (optional(',')) {
            quoted();
        }
    }

    private String word() {
        int start = pos;
        while (pos < text.length() && isAsciiLetterOrDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a type name");
        }
        return text.substring(start, pos);
    }

    private int number() {
        skipSpaces();
        int start = pos;
        if (pos < text.length() && text.charAt(pos) == '-') {
            pos++;
        }
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        try {
            return Integer.parseInt(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("expected a number");
        }
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private String quoted() {
        skipSpaces();
        expect('\'');
        StringBuilder value = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != '\'') {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        expect('\'');
        return value.toString();
    }

    private boolean optional(char c) {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!optional(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private char peek() {
        skipSpaces();
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private SchemaEvolutionException error(String what) {
        return new SchemaEvolutionException(ErrorCode.TYPE_INVALID,
                "cannot parse type '" + Texts.abbreviate(text, QUOTED_LENGTH) + "' at position " + pos + ": " + what);
    }
}
