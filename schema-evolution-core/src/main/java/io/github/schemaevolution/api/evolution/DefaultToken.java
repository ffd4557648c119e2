package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnDefault;

/**
 * A {@link ColumnDefault} as one space-free word, for the one-line texts of changes and recorded
 * versions: {@code DEFAULT=literal:0}, {@code MATERIALIZED=expression:now64(3)},
 * {@code DEFAULT=now}. Spaces, {@code %} and line breaks in the value are percent-encoded, so the
 * word reads back exactly.
 */
final class DefaultToken {
    private DefaultToken() {
    }

    static String encode(ColumnDefault value) {
        String kind = value.kind().name() + "=";
        if (value.value() instanceof ColumnDefault.Now) {
            return kind + "now";
        }
        if (value.value() instanceof ColumnDefault.Literal literal) {
            return kind + "literal:" + escape(literal.text());
        }
        return kind + "expression:" + escape(((ColumnDefault.Expression) value.value()).sql());
    }

    /** Whether {@code word} is an encoded default (a type never starts with an upper-case word and {@code =}). */
    static boolean is(String word) {
        int equals = word.indexOf('=');
        if (equals < 0) {
            return false;
        }
        String kind = word.substring(0, equals);
        for (ColumnDefault.Kind known : ColumnDefault.Kind.values()) {
            if (known.name().equals(kind)) {
                return true;
            }
        }
        return false;
    }

    static ColumnDefault decode(String word) {
        int equals = word.indexOf('=');
        ColumnDefault.Kind kind = ColumnDefault.Kind.valueOf(word.substring(0, equals));
        String rest = word.substring(equals + 1);
        if (rest.equals("now")) {
            return new ColumnDefault(kind, new ColumnDefault.Now());
        }
        if (rest.startsWith("literal:")) {
            return new ColumnDefault(kind, new ColumnDefault.Literal(unescape(rest.substring("literal:".length()))));
        }
        if (rest.startsWith("expression:")) {
            return new ColumnDefault(kind, new ColumnDefault.Expression(unescape(rest.substring("expression:".length()))));
        }
        throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "not a default: " + word);
    }

    /** {@code text} as one word: spaces, {@code %} and line breaks percent-encoded. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '%' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
