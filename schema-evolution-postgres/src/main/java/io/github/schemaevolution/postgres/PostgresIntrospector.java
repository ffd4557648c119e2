package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a table from {@code pg_catalog}: columns from {@code pg_attribute} in their physical
 * order (dropped ones skipped), types through {@code format_type}, defaults through
 * {@code pg_get_expr}, comments, the primary key in key order and the partition key. Columns
 * named with the spare prefix become the reserve pool, counted per type in order of appearance.
 * What the model cannot hold (a generated column, an expression partition key, a type this
 * dialect does not create) is an {@link ErrorCode#INTROSPECTION_FAILED} naming table and column.
 */
final class PostgresIntrospector implements Introspector {

    private static final String TABLE = "SELECT c.oid, obj_description(c.oid, 'pg_class')"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = COALESCE(?, current_schema()) AND c.relname = ? AND c.relkind IN ('r', 'p')";

    private static final String COLUMNS = "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
            + " a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), pg_catalog.col_description(a.attrelid, a.attnum),"
            + " a.attgenerated::text"
            + " FROM pg_catalog.pg_attribute a"
            + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

    private static final String PRIMARY_KEY = "SELECT a.attname"
            + " FROM pg_catalog.pg_constraint k"
            + " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum"
            + " WHERE k.conrelid = ? AND k.contype = 'p' ORDER BY key.position";

    /** One row per partition column; an expression in the key has attnum 0 and so no name. */
    private static final String PARTITION_KEY = "SELECT p.partstrat, a.attname, pg_catalog.pg_get_partkeydef(p.partrelid)"
            + " FROM pg_catalog.pg_partitioned_table p"
            + " CROSS JOIN LATERAL unnest(p.partattrs::int2[]) WITH ORDINALITY AS key(attnum, position)"
            + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = key.attnum"
            + " WHERE p.partrelid = ? ORDER BY key.position";

    /** Other constraints (unique, foreign key, check, exclusion) and the columns they use. */
    private static final String CONSTRAINTS = "SELECT a.attname, k.conname"
            + " FROM pg_catalog.pg_constraint k"
            + " CROSS JOIN LATERAL unnest(k.conkey) AS key(attnum)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum"
            // NOT NULL is catalogued as a constraint since PostgreSQL 18 ('n'); it does not stop a drop or a rename
            + " WHERE k.conrelid = ? AND k.contype NOT IN ('p', 'n') ORDER BY k.conname, a.attnum";

    private static final String INDEXES = "SELECT a.attname, i.relname"
            + " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
            + " CROSS JOIN LATERAL unnest(x.indkey::int2[]) AS key(attnum)"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = key.attnum"
            + " WHERE x.indrelid = ? AND NOT x.indisprimary ORDER BY i.relname, a.attnum";

    /** Materialized views depend on the columns they read through their rewrite rule. */
    private static final String MATERIALIZED_VIEWS = "SELECT DISTINCT a.attname, v.relname"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid"
            + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + " WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = ? AND d.refobjsubid > 0"
            + " AND v.relkind = 'm' ORDER BY v.relname, a.attname";

    private final PostgresDialect dialect;

    PostgresIntrospector(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException {
        // a longer name would be truncated in the lookup and could find another table
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        if (schema != null) {
            PostgresIdentifiers.RULES.check(Kind.SCHEMA, table, schema);
        }
        String display = schema == null ? table : schema + "." + table;
        ReservePolicy prefix = ReservePolicy.builder().prefix(sparePrefix).build();
        try (PreparedStatement statement = connection.prepareStatement(TABLE)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                long oid = row.getLong(1);
                Table.Builder builder = Table.builder(table).schema(schema).comment(row.getString(2));
                Map<ColumnType, Integer> spares = new LinkedHashMap<>();
                for (Column column : columns(connection, oid, display)) {
                    if (prefix.isSpareName(column.name())) {
                        spares.merge(column.type().withoutNullable(), 1, Integer::sum);
                    } else {
                        builder.column(column);
                    }
                }
                ReservePolicy.Builder reserve = ReservePolicy.builder().prefix(sparePrefix);
                spares.forEach(reserve::spares);
                builder.reserve(reserve.build()).postgres(options(connection, oid, display));
                return Optional.of(dialect.canonical(builder.build()));
            }
        } catch (SchemaEvolutionException e) {
            if (e.code() == ErrorCode.INTROSPECTION_FAILED) {
                throw e;
            }
            throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, e.column().orElse(null),
                    "the live table does not fit the model: " + e.getMessage(), e);
        }
    }

    /** Every physical column in catalog order, spares included, with canonical types; no defaults, no comments. */
    @Override
    public List<Column> physicalColumns(Connection connection, String schema, String table) throws SQLException {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        String display = schema == null ? table : schema + "." + table;
        Optional<Long> oid = oid(connection, schema, table);
        if (oid.isEmpty()) {
            return List.of();
        }
        List<Column> columns = new ArrayList<>();
        for (Column column : columns(connection, oid.get(), display)) {
            columns.add(Column.of(column.name(), column.type()));
        }
        return List.copyOf(columns);
    }

    /**
     * Columns PostgreSQL will not let go as they are: primary and partition key columns, columns of
     * other constraints and indexes (dropping one drops them silently), and columns that
     * materialized views read (they block DROP and ALTER TYPE). Plain views are left out: the
     * library's own versioned views are dropped and recreated around such changes.
     */
    @Override
    public Map<String, String> protectedColumns(Connection connection, String schema, String table) throws SQLException {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        Map<String, String> reasons = new LinkedHashMap<>();
        Optional<Long> oid = oid(connection, schema, table);
        if (oid.isEmpty()) {
            return reasons;
        }
        PostgresOptions options = options(connection, oid.get(), schema == null ? table : schema + "." + table);
        options.primaryKey().forEach(c -> reasons.putIfAbsent(c, "it is part of the primary key"));
        options.partitioningOptional().ifPresent(p -> p.columns().forEach(c -> reasons.putIfAbsent(c, "it is in the partition key")));
        collect(connection, CONSTRAINTS, oid.get(), reasons, "the constraint %s uses it");
        collect(connection, INDEXES, oid.get(), reasons, "the index %s reads it");
        collect(connection, MATERIALIZED_VIEWS, oid.get(), reasons, "the materialized view %s reads it");
        return reasons;
    }

    private static void collect(Connection connection, String query, long oid, Map<String, String> reasons, String reason)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    reasons.putIfAbsent(row.getString(1), String.format(reason, row.getString(2)));
                }
            }
        }
    }

    private static Optional<Long> oid(Connection connection, String schema, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TABLE)) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(row.getLong(1)) : Optional.empty();
            }
        }
    }

    private List<Column> columns(Connection connection, long oid, String display) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String name = row.getString(1);
                    String generated = row.getString(6);
                    boolean virtual = "v".equals(generated);
                    if (generated != null && !generated.isEmpty() && !virtual) {
                        throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, name,
                                "stored generated columns have no model counterpart (virtual ones are ALIAS columns)", null);
                    }
                    ColumnType type = columnType(row.getString(2), display, name);
                    if (!row.getBoolean(3)) {
                        type = type.orNullable();
                    }
                    String defaultExpression = row.getString(4);
                    ColumnDefault defaultValue = defaultExpression == null ? null : virtual
                            ? ColumnDefault.expression(defaultExpression).alias() : PostgresSql.parseDefault(defaultExpression);
                    if (defaultValue != null && !virtual && !defaultValue.fits(type)) {
                        // a constant the engine took for a type the model would not give it: the expression it was
                        defaultValue = ColumnDefault.expression(defaultExpression);
                    }
                    String comment = row.getString(5);
                    columns.add(new Column(name, type, defaultValue, ReservePolicy.SPARE_COMMENT.equals(comment) ? null : comment));
                }
            }
        }
        return columns;
    }

    private ColumnType columnType(String engineType, String display, String column) {
        try {
            return dialect.modelType(engineType);
        } catch (SchemaEvolutionException e) {
            throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, column, e.getMessage(), e);
        }
    }

    private static PostgresOptions options(Connection connection, long oid, String display) throws SQLException {
        List<String> primaryKey = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(PRIMARY_KEY)) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    primaryKey.add(row.getString(1));
                }
            }
        }
        PostgresOptions.Strategy strategy = null;
        List<String> partitionColumns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(PARTITION_KEY)) {
            statement.setLong(1, oid);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    if (row.getString(2) == null) {
                        throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, null,
                                "partition key '" + row.getString(3) + "' is an expression; the model partitions by columns", null);
                    }
                    strategy = strategy(row.getString(1));
                    partitionColumns.add(row.getString(2));
                }
            }
        }
        PostgresOptions.Partitioning partitioning = strategy == null ? null
                : new PostgresOptions.Partitioning(strategy, partitionColumns);
        return new PostgresOptions(primaryKey, partitioning);
    }

    private static PostgresOptions.Strategy strategy(String code) {
        return switch (code) {
            case "r" -> PostgresOptions.Strategy.RANGE;
            case "l" -> PostgresOptions.Strategy.LIST;
            case "h" -> PostgresOptions.Strategy.HASH;
            default -> throw new IllegalStateException("unknown partition strategy " + code);
        };
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
    public Map<String, String> relations(Connection connection, String schema, java.util.Collection<String> names)
            throws SQLException {
        Map<String, String> found = new java.util.HashMap<>();
        if (names.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'view'"
                + " WHEN 'm' THEN 'materialized view' WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'"
                + " WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'relation' END"
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
