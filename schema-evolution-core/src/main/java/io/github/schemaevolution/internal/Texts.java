package io.github.schemaevolution.internal;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import java.util.ArrayList;
import java.util.List;

/**
 * The one check of every text the model stores or renders (names, comments, defaults, migration
 * ids, patterns). A NUL character or an unpaired UTF-16 surrogate is refused with
 * {@link ErrorCode#TEXT_INVALID}: PostgreSQL refuses NUL in text, and a lone surrogate has no UTF-8
 * form, so JDBC drivers send {@code ?} in its place and the engine stores a different text.
 */
public final class Texts {
    private Texts() {
    }

    /**
     * Returns {@code text} unchanged, {@code null} included.
     *
     * @param what   what the text is, for the message ("column comment", "migration id", ...)
     * @param table  the table concerned, or {@code null}
     * @param column the column concerned, or {@code null}
     */
    public static String check(String text, String what, String table, String column) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                throw invalid(what, table, column, "holds a NUL character at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(what, table, column, String.format(
                        "holds an unpaired surrogate \\u%04X at index %d (a text must be valid UTF-16)", (int) c, i));
            }
        }
        return text;
    }

    /**
     * An immutable copy of a list of names ({@code null} for none): a null or blank name is
     * IDENTIFIER_EMPTY, a name holding NUL or an unpaired surrogate TEXT_INVALID. The names are
     * checked against the identifier rules where they are resolved (the table, the dialect).
     *
     * @param what what the names are, for the message ("ORDER BY", "primary key", ...)
     */
    public static List<String> names(List<String> names, String what) {
        if (names == null) {
            return List.of();
        }
        List<String> copy = new ArrayList<>(names.size());
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_EMPTY, what + " names an empty column");
            }
            copy.add(check(name, what + " column", null, name));
        }
        return List.copyOf(copy);
    }

    /** A required name: null or blank is IDENTIFIER_EMPTY, NUL or an unpaired surrogate TEXT_INVALID. */
    public static String name(String name, String what, String table) {
        if (name == null || name.isBlank()) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_EMPTY, table, null, what + " is empty", null);
        }
        return check(name, what, table, null);
    }

    /** At most {@code max} characters of a text, for messages: the text's start and its length. */
    public static String abbreviate(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }

    private static SchemaEvolutionException invalid(String what, String table, String column, String rule) {
        return new SchemaEvolutionException(ErrorCode.TEXT_INVALID, table, column, what + " " + rule, null);
    }
}
