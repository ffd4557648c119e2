package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the catalog says about a table that {@link PostgresTableRewrite} copies: its key, its
 * columns, its indexes and foreign keys, and why it cannot be rewritten when it cannot. Everything
 * that depends on the table is looked at ({@code pg_depend}); what the rewrite cannot carry over to
 * the copy (a foreign key from another table, a materialized view, a rule, a policy, a publication,
 * a function of the table's row type...) refuses the rewrite by name before anything is created.
 */
record RewriteTarget(String schema, String table, long oid, boolean unlogged, String owner, boolean defaultPrivileges, String options,
                     List<String> key, List<Column> columns, List<Index> indexes, List<ForeignKey> foreignKeys) {

    /** A storage parameter as {@code pg_class.reloptions} holds it: {@code fillfactor=50}. */
    private static final Pattern OPTION = Pattern.compile("[a-z_][a-z0-9_.]*=[A-Za-z0-9_.\\-]+");

    /** A column, and whether the copy writes it (a generated column is computed by the copy itself). */
    record Column(String name, boolean generated, boolean identity) {
    }

    /**
     * An index: the text after {@code USING} of its definition (method, columns, predicate), and the
     * constraint it backs, if any ({@code p} or {@code u}).
     */
    record Index(String name, boolean unique, String method, String constraint, String constraintType, boolean deferrable,
                 boolean deferred) {
    }

    /** A foreign key from the table: its name, and its definition as {@code pg_get_constraintdef} prints it. */
    record ForeignKey(String name, String definition) {
        boolean validated() {
            return !definition.endsWith("NOT VALID");
        }
    }

    static RewriteTarget read(Connection connection, String table, Set<String> ownTriggers) throws SQLException {
        String quoted = PostgresIdentifiers.qualified(null, table);
        try (PreparedStatement select = connection.prepareStatement("SELECT c.oid, c.relkind, c.relpersistence, c.relrowsecurity,"
                + " c.relreplident, c.reltablespace <> 0, pg_catalog.pg_get_userbyid(c.relowner), c.reloptions, n.nspname,"
                + " EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid), c.relacl IS NULL"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, table, null,
                            "table " + table + " does not exist in the current schema", null);
                }
                long oid = row.getLong(1);
                String kind = row.getString(2);
                refuseUnless(table, kind.equals("r"), "it is not a plain table (relkind " + kind + ")");
                refuseUnless(table, !row.getString(3).equals("t"), "it is a temporary table");
                refuseUnless(table, !row.getBoolean(4), "it has row-level security, whose policies a rewrite does not move");
                refuseUnless(table, row.getString(5).equals("d"), "its replica identity is not the default");
                refuseUnless(table, !row.getBoolean(6), "it lives in a tablespace of its own");
                refuseUnless(table, !row.getBoolean(10), "it has a parent or children (inheritance or partitioning)");
                String owner = PostgresIdentifiers.RULES.check(Kind.ROLE, table, row.getString(7));
                String options = options(table, row.getArray(8));
                String schema = row.getString(9);
                refuseDependents(connection, table, oid, ownTriggers);
                List<Column> columns = columns(connection, oid);
                return new RewriteTarget(schema, table, oid, row.getString(3).equals("u"), owner, row.getBoolean(11), options,
                        key(connection, table, oid), columns, indexes(connection, table, oid), foreignKeys(connection, table, oid));
            }
        }
    }

    String qualified() {
        return PostgresIdentifiers.qualified(schema, table);
    }

    /** The columns the copy writes, quoted, in the table's order. */
    List<String> written() {
        List<String> names = new ArrayList<>();
        for (Column column : columns) {
            if (!column.generated()) {
                names.add(PostgresIdentifiers.column(table, column.name()));
            }
        }
        return names;
    }

    boolean hasIdentity() {
        return columns.stream().anyMatch(Column::identity);
    }

    List<String> quotedKey() {
        return key.stream().map(name -> PostgresIdentifiers.column(table, name)).toList();
    }

    private static void refuseUnless(String table, boolean condition, String why) {
        if (!condition) {
            throw refused(table, why);
        }
    }

    static SchemaEvolutionException refused(String table, String why) {
        return new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, null, "cannot rewrite " + table
                + " into a copy and swap it in: " + why + "; fill it in place with PostgresChunks.fill", null);
    }

    private static String options(String table, Array array) throws SQLException {
        if (array == null) {
            return "";
        }
        List<String> options = new ArrayList<>();
        for (Object option : (Object[]) array.getArray()) {
            refuseUnless(table, OPTION.matcher(option.toString()).matches(), "storage parameter " + option + " is not plain");
            options.add(option.toString());
        }
        return " WITH (" + String.join(", ", options) + ")";
    }

    /**
     * Everything that depends on the table or its row type, sorted into what the copy carries over
     * (its own indexes, sequences, defaults, constraints, statistics, triggers, and plain views, which
     * are recreated over the copy) and what refuses the rewrite.
     */
    private static void refuseDependents(Connection connection, String table, long oid, Set<String> ownTriggers)
            throws SQLException {
        String sql = "SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), d.classid::regclass::text, d.deptype,"
                + " CASE d.classid"
                + "  WHEN 'pg_catalog.pg_class'::regclass THEN (SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = d.objid)"
                + "  WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT CASE WHEN r.ev_class = ?"
                + "   THEN 'rule' ELSE (SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = r.ev_class) END"
                + "   FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid)"
                + "  WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT CASE WHEN k.conrelid = ? AND (k.contype <> 'f' OR k.confrelid <> ?)"
                + "   THEN k.contype::text ELSE 'other' END FROM pg_catalog.pg_constraint k WHERE k.oid = d.objid)"
                + "  WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT CASE WHEN t.tgisinternal THEN 'internal'"
                + "   WHEN t.tgname = ANY (?) THEN 'own' WHEN t.tgenabled = 'O' THEN 'user' ELSE 'disabled' END"
                + "   FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid)"
                + "  ELSE '' END"
                + " FROM pg_catalog.pg_depend d WHERE (d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ?)"
                + " OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = (SELECT reltype FROM pg_catalog.pg_class WHERE oid = ?))";
        List<String> refusals = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, oid);
            select.setLong(2, oid);
            select.setLong(3, oid);
            select.setArray(4, connection.createArrayOf("text", ownTriggers.toArray()));
            select.setLong(5, oid);
            select.setLong(6, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    if (!carriedOver(row.getString(2), row.getString(3), row.getString(4))) {
                        refusals.add(row.getString(1));
                    }
                }
            }
        }
        refuseUnless(table, refusals.isEmpty(), "the copy would not carry over " + String.join(", ", refusals));
    }

    private static boolean carriedOver(String catalog, String dependency, String kind) {
        return switch (catalog) {
            case "pg_type" -> dependency.equals("i");
            case "pg_class" -> Set.of("i", "S", "t").contains(kind) && !dependency.equals("n");
            case "pg_attrdef", "pg_statistic_ext" -> true;
            case "pg_constraint" -> Set.of("c", "p", "u", "f", "n").contains(kind);
            case "pg_rewrite" -> kind.equals("v");
            case "pg_trigger" -> !kind.equals("disabled");
            default -> false;
        };
    }

    private static List<Column> columns(Connection connection, long oid) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT attname, attgenerated <> '', attidentity <> ''"
                + " FROM pg_catalog.pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            select.setLong(1, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    columns.add(new Column(row.getString(1), row.getBoolean(2), row.getBoolean(3)));
                }
            }
        }
        return columns;
    }

    private static List<String> key(Connection connection, String table, long oid) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT a.attname FROM pg_catalog.pg_index i"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY pg_catalog.array_position(i.indkey::int2[], a.attnum)")) {
            select.setLong(1, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    key.add(PostgresIdentifiers.RULES.check(Kind.COLUMN, table, row.getString(1)));
                }
            }
        }
        refuseUnless(table, !key.isEmpty(), "it has no primary key, by which the changes made during the copy are followed");
        return key;
    }

    /**
     * The table's indexes, each as the text after {@code USING} of {@code pg_get_indexdef}, which names
     * only columns: the text before it (the index and table names) is checked to be exactly what the
     * catalog names, so that the rest can be rebuilt over the copy under another name.
     */
    private static List<Index> indexes(Connection connection, String table, long oid) throws SQLException {
        List<Index> indexes = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT ci.relname, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid),"
                + " 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || pg_catalog.quote_ident(ci.relname)"
                + " || ' ON ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || ' USING ',"
                + " k.conname, k.contype, k.condeferrable, k.condeferred, ci.reltablespace <> 0"
                + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid"
                + " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')"
                + " WHERE i.indrelid = ? ORDER BY i.indexrelid")) {
            select.setLong(1, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String name = PostgresIdentifiers.RULES.check(Kind.INDEX, table, row.getString(1));
                    String definition = row.getString(3);
                    String prefix = row.getString(4);
                    refuseUnless(table, definition.startsWith(prefix), "index " + name + " is defined as " + definition);
                    refuseUnless(table, !"x".equals(row.getString(6)), "index " + name + " backs an exclusion constraint");
                    refuseUnless(table, !row.getBoolean(9), "index " + name + " lives in a tablespace of its own");
                    String constraint = row.getString(5);
                    indexes.add(new Index(name, row.getBoolean(2), definition.substring(prefix.length()),
                            constraint == null ? null : PostgresIdentifiers.RULES.check(Kind.CONSTRAINT, table, constraint),
                            row.getString(6), row.getBoolean(7), row.getBoolean(8)));
                }
            }
        }
        return indexes;
    }

    private static List<ForeignKey> foreignKeys(Connection connection, String table, long oid) throws SQLException {
        List<ForeignKey> keys = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT conname, pg_catalog.pg_get_constraintdef(oid)"
                + " FROM pg_catalog.pg_constraint WHERE conrelid = ? AND contype = 'f' ORDER BY oid")) {
            select.setLong(1, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    keys.add(new ForeignKey(PostgresIdentifiers.RULES.check(Kind.CONSTRAINT, table, row.getString(1)), row.getString(2)));
                }
            }
        }
        return keys;
    }
}
