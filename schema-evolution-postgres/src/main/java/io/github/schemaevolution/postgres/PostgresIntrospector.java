package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.CatalogSnapshot;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a table from {@code pg_catalog} in one query: its comment, its columns from
 * {@code pg_attribute} in their physical order (dropped ones skipped) with types through
 * {@code format_type}, defaults through {@code pg_get_expr} and comments, the primary key in key
 * order, the partition key, the other constraints, the indexes and the materialized views that read
 * its columns, and which of a list of names are taken in its schema. {@link PostgresCatalog} reads
 * the rows into the model.
 */
final class PostgresIntrospector implements Introspector {

    /** The table, as the first branch of {@link #SNAPSHOT} reads it. */
    private static final String TABLE = "WITH t AS (SELECT c.oid FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = COALESCE(?, current_schema()) AND c.relname = ? AND c.relkind IN ('r', 'p'))";

    /** {@link #TABLE}, for a view or materialized view as well. */
    private static final String RELATION = TABLE.replace("IN ('r', 'p')", "IN ('r', 'p', 'v', 'm')");

    /** Its columns, as the second branch of {@link #SNAPSHOT} reads them. */
    private static final String COLUMNS = "SELECT 1 AS kind, NULL::text AS s, a.attnum::int AS ord, a.attname::text AS a,"
            + " pg_catalog.format_type(a.atttypid, a.atttypmod) AS b, a.attnotnull::text AS c,"
            + " pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS d, pg_catalog.col_description(a.attrelid, a.attnum) AS e,"
            + " a.attgenerated::text AS f"
            + " FROM t JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid"
            + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped";

    /** The rows of one table, each branch its own {@code kind} ({@link PostgresCatalog} names them), ordered as the model needs. */
    private static final String SNAPSHOT = TABLE
            + " SELECT 0 AS kind, NULL::text AS s, 0 AS ord, pg_catalog.obj_description(t.oid, 'pg_class') AS a,"
            + " NULL::text AS b, NULL::text AS c, NULL::text AS d, NULL::text AS e, NULL::text AS f FROM t"
            + " UNION ALL " + COLUMNS
            + " UNION ALL SELECT 2, NULL, key.position::int, a.attname::text, NULL, NULL, NULL, NULL, NULL"
            + " FROM t JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype = 'p'"
            + " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum"
            // an expression in the partition key has attnum 0 and so no name
            + " UNION ALL SELECT 3, NULL, key.position::int, a.attname::text, p.partstrat::text, pg_catalog.pg_get_partkeydef(p.partrelid),"
            + " NULL, NULL, NULL"
            + " FROM t JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = t.oid"
            + " CROSS JOIN LATERAL unnest(p.partattrs::int2[]) WITH ORDINALITY AS key(attnum, position)"
            + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = key.attnum"
            + " UNION ALL SELECT 7, NULL, 0, c.relname::text, " + PostgresCatalog.RELATION_KIND + ", NULL, NULL, NULL, NULL"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = COALESCE(?, current_schema()) AND c.relname = ANY (?)"
            + " ORDER BY kind, s, ord";

    /**
     * What else protects the table's columns: other constraints, indexes, and materialized views that
     * read them. Read only when asked ({@link PostgresCatalog#protectedColumns()}): a plan needs it for
     * drops, renames and retypes, and an add, the usual change, does not.
     */
    private static final String PROTECTED = TABLE
            // NOT NULL is catalogued as a constraint since PostgreSQL 18 ('n'); it does not stop a drop or a rename
            + " SELECT 4 AS kind, k.conname::text AS s, a.attnum::int AS ord, a.attname::text AS a, NULL::text AS b,"
            + " NULL::text AS c, NULL::text AS d, NULL::text AS e, NULL::text AS f"
            + " FROM t JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype NOT IN ('p', 'n')"
            + " CROSS JOIN LATERAL unnest(k.conkey) AS key(attnum)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum"
            + " UNION ALL SELECT 5, i.relname::text, a.attnum, a.attname::text, NULL, NULL, NULL, NULL, NULL"
            + " FROM t JOIN pg_catalog.pg_index x ON x.indrelid = t.oid AND NOT x.indisprimary"
            + " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
            + " CROSS JOIN LATERAL unnest(x.indkey::int2[]) AS key(attnum)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = key.attnum"
            // materialized views depend on the columns they read through their rewrite rule
            + " UNION ALL SELECT DISTINCT 6, v.relname::text, a.attnum, a.attname::text, NULL, NULL, NULL, NULL, NULL"
            // refclassid first, as pg_depend's index on what is depended on has it
            + " FROM t JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass"
            + " AND d.refobjid = t.oid AND d.refobjsubid > 0 AND d.classid = 'pg_catalog.pg_rewrite'::regclass"
            + " JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.relkind = 'm'"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + " ORDER BY kind, s, ord";

    private final PostgresDialect dialect;

    PostgresIntrospector(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public PostgresCatalog snapshot(Connection connection, String schema, String table, String sparePrefix,
            Collection<String> relationNames) throws SQLException {
        PostgresCatalog.Builder catalog = new PostgresCatalog.Builder(dialect, schema, table, sparePrefix, into -> {
            try (PreparedStatement select = connection.prepareStatement(PROTECTED)) {
                read(select, schema, table, into);
            }
        });
        try (PreparedStatement select = connection.prepareStatement(SNAPSHOT)) {
            select.setString(3, schema);
            select.setArray(4, connection.createArrayOf("text", relationNames.toArray()));
            read(select, schema, table, catalog);
        }
        return catalog.build();
    }

    /** Adds the catalog rows {@code select} (with the schema and table as its first parameters) reads to {@code catalog}. */
    private static void read(PreparedStatement select, String schema, String table, PostgresCatalog.Builder catalog)
            throws SQLException {
        // a longer name would be truncated in the lookup and could find another table
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        if (schema != null) {
            PostgresIdentifiers.RULES.check(Kind.SCHEMA, table, schema);
        }
        select.setString(1, schema);
        select.setString(2, table);
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                catalog.row(row.getInt("kind"), row.getString("s"), row.getString("a"), row.getString("b"),
                        row.getString("c"), row.getString("d"), row.getString("e"), row.getString("f"));
            }
        }
    }

    @Override
    public Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException {
        return snapshot(connection, schema, table, sparePrefix, List.of()).table();
    }

    /** Every physical column in catalog order, spares included, with canonical types; no defaults, no comments. */
    @Override
    public List<Column> physicalColumns(Connection connection, String schema, String table) throws SQLException {
        return columns(connection, schema, table, TABLE);
    }

    @Override
    public List<Column> relationColumns(Connection connection, String schema, String relation) throws SQLException {
        return columns(connection, schema, relation, RELATION);
    }

    private List<Column> columns(Connection connection, String schema, String table, String relation) throws SQLException {
        // the columns alone: what the check after a migration reads
        PostgresCatalog.Builder catalog = new PostgresCatalog.Builder(dialect, schema, table,
                io.github.schemaevolution.api.model.ReservePolicy.DEFAULT_PREFIX, into -> {
                });
        try (PreparedStatement select = connection.prepareStatement(relation + " " + COLUMNS + " ORDER BY ord")) {
            read(select, schema, table, catalog);
        }
        return catalog.build().physicalColumns();
    }

    /**
     * Columns PostgreSQL will not let go as they are: primary and partition key columns, columns of
     * other constraints and indexes (dropping one drops them silently), and columns that
     * materialized views read (they block DROP and ALTER TYPE). Plain views are left out: the
     * library's own versioned views are dropped and recreated around such changes.
     */
    @Override
    public Map<String, String> protectedColumns(Connection connection, String schema, String table) throws SQLException {
        return snapshot(connection, schema, table, io.github.schemaevolution.api.model.ReservePolicy.DEFAULT_PREFIX, List.of())
                .protectedColumns();
    }

    @Override
    public boolean schemaExists(Connection connection, String schema) throws SQLException {
        if (schema == null) {
            return true;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            select.setString(1, schema);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    @Override
    public Map<String, String> relations(Connection connection, String schema, Collection<String> names) throws SQLException {
        Map<String, String> found = new java.util.HashMap<>();
        if (names.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT c.relname, " + PostgresCatalog.RELATION_KIND
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = COALESCE(?, current_schema()) AND c.relname = ANY (?)")) {
            select.setString(1, schema);
            select.setArray(2, connection.createArrayOf("text", names.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString(1), row.getString(2));
                }
            }
        }
        return found;
    }
}
