package io.github.schemaevolution.spi;

/**
 * Reading the raw SQL expressions a caller hands to chunk operations: which names they mention,
 * outside string literals. Deliberately coarse: it sees names, not meaning, so an expression that
 * uses the name for something else (a lambda parameter, a function) counts as mentioning it, which
 * errs on the side of refusing.
 */
public final class SqlText {
    private SqlText() {
    }

    /**
     * Whether {@code expression} mentions the identifier {@code name}, bare or quoted with
     * {@code "} or a backtick, compared without regard to case (as the engine's unquoted names may be).
     */
    public static boolean mentions(String expression, String name) {
        int i = 0;
        int length = expression.length();
        while (i < length) {
            char c = expression.charAt(i);
            if (c == '\'') {
                i = skipQuoted(expression, i, '\'');
            } else if (c == '"' || c == '`') {
                int end = skipQuoted(expression, i, c);
                String quoted = expression.substring(i + 1, Math.max(i + 1, end - 1));
                if (quoted.equalsIgnoreCase(name)) {
                    return true;
                }
                i = end;
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < length && (Character.isLetterOrDigit(expression.charAt(end)) || expression.charAt(end) == '_')) {
                    end++;
                }
                if (expression.substring(i, end).equalsIgnoreCase(name)) {
                    return true;
                }
                i = end;
            } else if (Character.isDigit(c)) {
                // a number such as 1e5 or 0x1F: its letters are not a name
                while (i < length && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '.')) {
                    i++;
                }
            } else {
                i++;
            }
        }
        return false;
    }

    /** The index after the literal or quoted name opened at {@code start}; a doubled or backslashed quote stays inside. */
    private static int skipQuoted(String text, int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }
}
