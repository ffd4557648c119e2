package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.util.Locale;
import java.util.Set;

/**
 * PostgreSQL's identifier rules, kept in one {@link IdentifierRules} instance that every name of
 * this dialect passes through before it is rendered.
 */
final class PostgresIdentifiers {

    /**
     * NAMEDATALEN - 1. PostgreSQL truncates a longer name without an error, so two long names could
     * silently become one; they are refused instead.
     */
    static final int MAX_BYTES = 63;

    /**
     * The key words the PostgreSQL key word appendix lists as "reserved" and "reserved (can be
     * function or type)": neither can name a column or table without quotes, which would break
     * unquoted queries over the versioned views.
     */
    static final Set<String> RESERVED = Set.of(
            // reserved
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
            "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
            "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
            "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
            "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
            "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
            "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
            "unique", "user", "using", "variadic", "when", "where", "window", "with",
            // reserved (can be function or type)
            "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
            "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
            "right", "similar", "tablesample", "verbose");

    /** Every table has these hidden columns; a user column of the same name is refused by CREATE TABLE. */
    static final Set<String> SYSTEM_COLUMNS = Set.of("tableoid", "xmin", "cmin", "xmax", "cmax", "ctid");

    static final IdentifierRules RULES = new IdentifierRules("postgresql", MAX_BYTES, RESERVED, '"');

    private PostgresIdentifiers() {
    }

    /** Checks a column name, including PostgreSQL's system column names, and quotes it. */
    static String column(String table, String name) {
        RULES.check(Kind.COLUMN, table, name);
        if (SYSTEM_COLUMNS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_RESERVED, table, name,
                    "column name '" + name + "' is a system column of every postgresql table", null);
        }
        return RULES.quote(Kind.COLUMN, table, name);
    }

    /**
     * Checks a schema name. Beyond the shared rules, PostgreSQL's reserved words are refused: such a
     * schema can only ever be written quoted, which breaks every unquoted query that names it.
     */
    static String schema(String table, String name) {
        RULES.check(Kind.SCHEMA, table, name);
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_RESERVED, table, null,
                    "schema name '" + name + "' is a reserved word in postgresql", null);
        }
        return name;
    }

    /** {@code "schema"."table"}, or {@code "table"} for the connection's current schema. */
    static String qualified(String schema, String table) {
        if (schema != null) {
            schema(table, schema);
        }
        return RULES.qualified(schema, table);
    }

    /** {@code "schema"."view"}, checked as a view name. */
    static String qualifiedView(String schema, String view) {
        String quotedView = RULES.quote(Kind.VIEW, null, view);
        return schema == null ? quotedView : RULES.quote(Kind.SCHEMA, view, schema(view, schema)) + "." + quotedView;
    }
}
