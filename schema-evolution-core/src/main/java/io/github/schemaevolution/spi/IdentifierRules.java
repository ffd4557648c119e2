package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The single path through which every identifier reaches SQL. A dialect owns one instance: it
 * knows the engine's length limit, its reserved words and its quote character. {@link #quote}
 * validates before quoting, so no unchecked name can ever be rendered.
 *
 * <p>The accepted alphabet is deliberately narrow ({@code [A-Za-z_][A-Za-z0-9_]*}): such names
 * need no escaping in either engine and can be typed unquoted by users of the views.
 */
public final class IdentifierRules {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Words reserved in SQL on every engine; a column so named breaks unquoted queries over the views. */
    private static final Set<String> COMMON_RESERVED = Set.of(
            "all", "and", "any", "array", "as", "asc", "between", "both", "case", "cast", "check", "collate",
            "column", "constraint", "create", "cross", "current_date", "current_time", "current_timestamp",
            "default", "desc", "distinct", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
            "full", "grant", "group", "having", "in", "inner", "intersect", "into", "is", "join", "leading", "left",
            "like", "limit", "not", "null", "offset", "on", "or", "order", "outer", "primary", "references",
            "right", "select", "table", "then", "to", "trailing", "true", "union", "unique", "using", "when",
            "where", "with");

    /** The model's own rules, applied when a table is built: alphabet, emptiness, a generous length. */
    public static final IdentifierRules NEUTRAL = new IdentifierRules("model", 255, Set.of(), '"');

    private final String engine;
    private final int maxBytes;
    private final Set<String> reserved;
    private final char quoteChar;

    /**
     * @param engine         engine name used in messages
     * @param maxBytes       longest identifier, in UTF-8 bytes, the engine keeps unchanged
     * @param extraReserved  engine reserved words beyond the common SQL ones (lower case)
     * @param quoteChar      the engine's identifier quote
     */
    public IdentifierRules(String engine, int maxBytes, Set<String> extraReserved, char quoteChar) {
        this.engine = engine;
        this.maxBytes = maxBytes;
        this.reserved = extraReserved.isEmpty() ? Set.of() : Set.copyOf(extraReserved);
        this.quoteChar = quoteChar;
    }

    /** What an identifier names, for error messages. */
    public enum Kind {
        TABLE, COLUMN, VIEW, INDEX, CONSTRAINT, TRIGGER, FUNCTION, SEQUENCE, ROLE, SCHEMA, SPARE_PREFIX, SETTING;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * Checks an identifier and returns it unchanged.
     *
     * @param table the table the name belongs to, for the message (may be {@code null})
     * @throws SchemaEvolutionException with IDENTIFIER_EMPTY, IDENTIFIER_UNSAFE, IDENTIFIER_TOO_LONG
     *                                  or IDENTIFIER_RESERVED
     */
    public String check(Kind kind, String table, String name) {
        String column = kind == Kind.COLUMN || kind == Kind.INDEX ? name : null;
        String owner = kind == Kind.TABLE ? name : table;
        if (name == null || name.isBlank()) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_EMPTY, owner, null,
                    kind.label() + " name is empty", null);
        }
        if (!SAFE.matcher(name).matches()) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_UNSAFE, owner, column,
                    kind.label() + " name '" + printable(name) + "' must match [A-Za-z_][A-Za-z0-9_]*", null);
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_TOO_LONG, owner, column,
                    kind.label() + " name is " + bytes + " bytes; " + engine + " keeps at most " + maxBytes, null);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        // schemas and settings are always quoted or engine-defined ("default" is ClickHouse's own database)
        if (kind != Kind.SETTING && kind != Kind.SCHEMA && (COMMON_RESERVED.contains(lower) || reserved.contains(lower))) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_RESERVED, owner, column,
                    kind.label() + " name '" + name + "' is a reserved word in " + engine, null);
        }
        return name;
    }

    /** Checks and quotes one identifier. */
    public String quote(Kind kind, String table, String name) {
        check(kind, table, name);
        return quoteChar + name + quoteChar;
    }

    /** Quotes {@code schema.name}, or just {@code name} when the schema is {@code null}. */
    public String qualified(String schema, String table) {
        String quotedTable = quote(Kind.TABLE, null, table);
        return schema == null ? quotedTable : quote(Kind.SCHEMA, table, schema) + "." + quotedTable;
    }

    public int maxBytes() {
        return maxBytes;
    }

    private static String printable(String name) {
        StringBuilder text = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                text.append(String.format("\\u%04x", cp));
            } else {
                text.appendCodePoint(cp);
            }
        });
        return text.toString();
    }
}
