package io.github.schemaevolution.internal;

/** String literals in the canonical type notation: single quotes, with {@code \\} and {@code '} escaped by a backslash. */
public final class Notation {
    private Notation() {
    }

    public static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
