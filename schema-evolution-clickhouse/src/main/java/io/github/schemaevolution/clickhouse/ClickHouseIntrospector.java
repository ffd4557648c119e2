package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Introspector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a table back from {@code system.tables}, {@code system.columns} and
 * {@code system.data_skipping_indices} in one query, with the materialized views that may read it and
 * which of a list of names are taken in its database; {@link ClickHouseCatalog} reads the rows into
 * the model.
 */
final class ClickHouseIntrospector implements Introspector {

    /** The schema parameter, or the connection's current database when it is NULL: one round trip fewer. */
    private static final String DATABASE = "coalesce(?, currentDatabase())";

    /** A view's comment names the table the library made it for: that is what it says of the view. */
    private static final String RELATION_KIND = "if(engine = 'View', if(startsWith(comment, '" + ClickHouseDialect.VIEW_MARK
            + "'), concat('" + LIBRARY_VIEW + "', substring(comment, " + (ClickHouseDialect.VIEW_MARK.length() + 1) + ")), '"
            + VIEW + "'), if(engine = 'MaterializedView', 'materialized view', concat('table (', engine, ')')))";

    /** Names are checked identifiers: no comma in any of them, so a comma-joined parameter lists them. */
    private static final String NAMED = "has(splitByChar(',', ?), name)";

    /** One branch per kind of {@link ClickHouseCatalog} row: (kind, sort name, position, a to g). */
    private static final String SNAPSHOT = "SELECT * FROM ("
            + "SELECT toUInt8(" + ClickHouseCatalog.TABLE + ") AS kind, '' AS s, toUInt64(0) AS ord, engine AS a, engine_full AS b,"
            + " sorting_key AS c, primary_key AS d, partition_key AS e, comment AS f, database AS g"
            + " FROM system.tables WHERE database = " + DATABASE + " AND name = ?"
            + " UNION ALL SELECT toUInt8(" + ClickHouseCatalog.COLUMN + "), '', toUInt64(position), name, type, default_kind,"
            + " default_expression, comment, '', '' FROM system.columns WHERE database = " + DATABASE + " AND table = ?"
            + " UNION ALL SELECT toUInt8(" + ClickHouseCatalog.INDEX + "), name, toUInt64(0), name, expr, type_full,"
            + " toString(granularity), '', '', '' FROM system.data_skipping_indices WHERE database = " + DATABASE + " AND table = ?"
            + " UNION ALL SELECT toUInt8(" + ClickHouseCatalog.RELATION + "), name, toUInt64(0), name, " + RELATION_KIND + ", '', '',"
            + " '', '', '' FROM system.tables WHERE database = " + DATABASE + " AND " + NAMED
            + ") ORDER BY kind, s, ord";

    /**
     * The materialized views whose query may read the table, read only when asked
     * ({@link ClickHouseCatalog#protectedColumns()}): a plan needs them for drops, renames and retypes
     * only, and finding them scans every materialized view of the server.
     */
    private static final String MATERIALIZED_VIEWS = "SELECT name, as_select FROM system.tables"
            + " WHERE engine = 'MaterializedView' AND position(as_select, ?) > 0 ORDER BY name";

    private final ClickHouseDialect dialect;

    ClickHouseIntrospector(ClickHouseDialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public ClickHouseCatalog snapshot(Connection connection, String schema, String table, String sparePrefix,
            Collection<String> relationNames) throws SQLException {
        List<ClickHouseCatalog.Row> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(SNAPSHOT)) {
            int index = 1;
            for (int branch = 0; branch < 3; branch++) {
                select.setString(index++, schema);
                select.setString(index++, table);
            }
            select.setString(index++, schema);
            select.setString(index, String.join(",", relationNames));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(new ClickHouseCatalog.Row(row.getInt("kind"), row.getString("s"), row.getString("a"),
                            row.getString("b"), row.getString("c"), row.getString("d"), row.getString("e"),
                            row.getString("f"), row.getString("g")));
                }
            }
        }
        return new ClickHouseCatalog(dialect, schema, table, sparePrefix, rows, () -> {
            List<ClickHouseCatalog.Row> views = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(MATERIALIZED_VIEWS)) {
                select.setString(1, table);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        views.add(new ClickHouseCatalog.Row(ClickHouseCatalog.MATERIALIZED_VIEW, row.getString(1),
                                row.getString(1), row.getString(2), "", "", "", "", ""));
                    }
                }
            }
            return views;
        });
    }

    @Override
    public Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException {
        return snapshot(connection, schema, table, sparePrefix, List.of()).table();
    }

    /** The columns alone, from {@code system.columns}: what the check after a migration reads. */
    @Override
    public List<Column> physicalColumns(Connection connection, String schema, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT name, type FROM system.columns WHERE database = " + DATABASE + " AND table = ? ORDER BY position")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    columns.add(Column.of(row.getString(1), dialect.modelType(row.getString(2))));
                }
            }
        }
        return columns;
    }

    /** One read of {@code system.columns} for every relation. */
    @Override
    public Map<String, List<Column>> relationColumns(Connection connection, String schema, java.util.Collection<String> relations)
            throws SQLException {
        Map<String, List<Column>> columns = new java.util.LinkedHashMap<>();
        if (relations.isEmpty()) {
            return columns;
        }
        String placeholders = String.join(", ", java.util.Collections.nCopies(relations.size(), "?"));
        try (PreparedStatement statement = connection.prepareStatement("SELECT table, name, type FROM system.columns WHERE"
                + " database = " + DATABASE + " AND table IN (" + placeholders + ") ORDER BY table, position")) {
            statement.setString(1, schema);
            int index = 2;
            for (String relation : relations) {
                statement.setString(index++, relation);
            }
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    columns.computeIfAbsent(row.getString(1), name -> new ArrayList<>())
                            .add(Column.of(row.getString(2), dialect.modelType(row.getString(3))));
                }
            }
        }
        return columns;
    }

    /** Key, version, sign and index columns of the table, and the columns its materialized views read. */
    @Override
    public Map<String, String> protectedColumns(Connection connection, String schema, String table) throws SQLException {
        return snapshot(connection, schema, table, ReservePolicy.DEFAULT_PREFIX, List.of()).protectedColumns();
    }

    @Override
    public boolean schemaExists(Connection connection, String schema) throws SQLException {
        if (schema == null) {
            return true;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM system.databases WHERE name = ?")) {
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
        try (PreparedStatement select = connection.prepareStatement("SELECT name, " + RELATION_KIND
                + " FROM system.tables WHERE database = " + DATABASE + " AND " + NAMED)) {
            select.setString(1, schema);
            select.setString(2, String.join(",", names));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString(1), row.getString(2));
                }
            }
        }
        return found;
    }
}
