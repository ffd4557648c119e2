package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.StateChain;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Schema history in an ordinary table keyed on (table, version), written in the migration's own
 * transaction, so that a migration and its history entry commit or roll back together.
 *
 * <p>The migration lock is a transaction-level advisory lock on a hash of the table's qualified
 * name: it needs no table, is released by commit or rollback even if the holder dies, and the wait
 * is bounded by {@code lock_timeout}. On a connection in auto-commit mode a session-level lock is
 * taken instead and released on {@link Lock#close()}.
 */
final class PostgresHistory implements HistoryStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresHistory.class);

    /** First key of every advisory lock this library takes, so that they do not meet an application's own. */
    static final int LOCK_SPACE = 0x5345_564F;

    /** SQL state of a missing table. */
    private static final String UNDEFINED_TABLE = "42P01";

    private final String historyTable;
    private final String columnsTable;

    PostgresHistory(String historyTable) {
        this.historyTable = PostgresIdentifiers.RULES.check(Kind.TABLE, null, historyTable);
        this.columnsTable = PostgresIdentifiers.RULES.check(Kind.TABLE, null, historyTable + "_columns");
    }

    @Override
    public void ensureTable(Connection connection, String schema) throws SQLException {
        String qualified = PostgresIdentifiers.qualified(schema, historyTable);
        // the columns table is made last: where it exists, both do
        if (exists(connection, PostgresIdentifiers.qualified(schema, columnsTable))) {
            // the usual case, without the lock below: held to the end of a migration's transaction, it
            // would make every other table's first write wait for that migration
            return;
        }
        // two first migrations of different tables would otherwise both create the history table
        // and one would fail on the catalog's unique index
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_catalog.pg_advisory_xact_lock(?, "
                + "pg_catalog.hashtext(COALESCE(?, current_schema()) || '.' || ?))")) {
            lock.setInt(1, LOCK_SPACE);
            lock.setString(2, schema);
            lock.setString(3, historyTable);
            lock.execute();
        }
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + qualified + " ("
                    + "table_name text NOT NULL, version integer NOT NULL, migration_id text NOT NULL, description text,"
                    + " checksum text, status text NOT NULL, started_at timestamp with time zone NOT NULL,"
                    + " finished_at timestamp with time zone, applied_by text, state text NOT NULL,"
                    + " PRIMARY KEY (table_name, version))");
            statement.execute("CREATE TABLE IF NOT EXISTS " + PostgresIdentifiers.qualified(schema, columnsTable) + " ("
                    + "table_name text NOT NULL, version integer NOT NULL, position integer NOT NULL, column_name text NOT NULL,"
                    + " physical_name text NOT NULL, column_type text NOT NULL, slot text NOT NULL, state text NOT NULL,"
                    + " PRIMARY KEY (table_name, version, position))");
            statement.execute("COMMENT ON TABLE " + PostgresIdentifiers.qualified(schema, columnsTable) + " IS "
                    + PostgresSql.string("the columns of every live version of the tables schema-evolution manages: what"
                    + " readers find in a version's view and what writers write, by physical column"));
        }
    }

    private static boolean exists(Connection connection, String qualified) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            select.setString(1, qualified);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    /**
     * Read without looking for the history table first: a missing one is an error, which inside a
     * transaction is rolled back to the savepoint sent with the read (one round trip either way).
     */
    @Override
    public List<HistoryEntry> entries(Connection connection, String schema, String table) throws SQLException {
        boolean transaction = !connection.getAutoCommit();
        try {
            return read(connection, schema, table, transaction ? "SAVEPOINT schema_evolution_history;\n" : "");
        } catch (SQLException e) {
            if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
                throw e;
            }
            if (transaction) {
                try (java.sql.Statement rollback = connection.createStatement()) {
                    rollback.execute("ROLLBACK TO SAVEPOINT schema_evolution_history");
                }
            }
            return new ArrayList<>();
        }
    }

    private List<HistoryEntry> read(Connection connection, String schema, String table, String before) throws SQLException {
        List<HistoryEntry> entries = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(before + "SELECT version, migration_id, description, checksum,"
                + " status, started_at, finished_at, applied_by, state FROM "
                + PostgresIdentifiers.qualified(schema, historyTable) + " WHERE table_name = ? ORDER BY version")) {
            select.setString(1, table);
            select.execute();
            while (select.getResultSet() == null && (select.getMoreResults() || select.getUpdateCount() != -1)) {
                // past the savepoint's result to the rows
            }
            try (ResultSet row = select.getResultSet()) {
                // each state is stored as its change from the one before, which is read first
                StateChain states = StateChain.of(schema, table);
                while (row.next()) {
                    OffsetDateTime finished = row.getObject(7, OffsetDateTime.class);
                    SchemaVersion previous = states.previous();
                    entries.add(new HistoryEntry(table, row.getInt(1), row.getString(2), row.getString(3),
                            row.getString(4), HistoryEntry.Status.valueOf(row.getString(5)),
                            row.getObject(6, OffsetDateTime.class).toInstant(),
                            finished == null ? null : finished.toInstant(), row.getString(8), states.next(row.getString(9)),
                            previous));
                }
                states.remember();
            }
        }
        return entries;
    }

    /** The upsert of one entry into the history table named by its {@code %s}. */
    private static final String UPSERT = "INSERT INTO %s"
            + " (table_name, version, migration_id, description, checksum, status, started_at, finished_at,"
            + " applied_by, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, version) DO UPDATE SET"
            + " migration_id = EXCLUDED.migration_id, description = EXCLUDED.description, checksum = EXCLUDED.checksum,"
            + " status = EXCLUDED.status, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,"
            + " applied_by = EXCLUDED.applied_by, state = EXCLUDED.state";

    @Override
    public void record(Connection connection, String schema, HistoryEntry entry) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT.formatted(PostgresIdentifiers.qualified(schema, historyTable)))) {
            bindEntry(upsert, 1, entry);
            upsert.executeUpdate();
        }
    }

    /** Binds the ten values of {@link #UPSERT} from parameter {@code first} on. */
    private static void bindEntry(PreparedStatement statement, int first, HistoryEntry entry) throws SQLException {
        statement.setString(first, entry.table());
        statement.setInt(first + 1, entry.version());
        statement.setString(first + 2, entry.migrationId());
        statement.setString(first + 3, entry.description());
        statement.setString(first + 4, entry.checksum());
        statement.setString(first + 5, entry.status().name());
        statement.setObject(first + 6, utc(entry.startedAt()));
        statement.setObject(first + 7, entry.finishedAt() == null ? null : utc(entry.finishedAt()));
        statement.setString(first + 8, entry.appliedBy());
        statement.setString(first + 9, entry.storedState());
    }

    /** The mapping rows of a version, from four arrays (names, physical names, types, slots) in column order. */
    private String insertColumnsSql(String schema) {
        return "INSERT INTO " + PostgresIdentifiers.qualified(schema, columnsTable)
                + " (table_name, version, position, column_name, physical_name, column_type, slot, state)"
                + " SELECT ?, ?, c.position, c.column_name, c.physical_name, c.column_type, c.slot, 'in use'"
                + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY"
                + " AS c(column_name, physical_name, column_type, slot, position)"
                + " ON CONFLICT (table_name, version, position) DO NOTHING";
    }

    /** Binds the six values of {@link #insertColumnsSql} from parameter {@code first} on; returns the next parameter. */
    private static int bindColumns(PreparedStatement statement, int first, SchemaVersion version) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> physical = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> slots = new ArrayList<>();
        java.util.Map<String, String> physicalNames = version.physicalNames();
        for (io.github.schemaevolution.api.evolution.MappedColumn column : version.columns()) {
            names.add(column.name());
            physical.add(physicalNames.get(column.name()));
            types.add(column.type().sql());
            slots.add(column.slot());
        }
        int index = first;
        statement.setString(index++, version.table());
        statement.setInt(index++, version.version());
        for (List<String> values : List.of(names, physical, types, slots)) {
            statement.setArray(index++, statement.getConnection().createArrayOf("text", values.toArray()));
        }
        return index;
    }

    /** Marks the rows of some slots of a table retained: the table, then the slots as an array. */
    private String markRetainedSql(String schema) {
        return "UPDATE " + PostgresIdentifiers.qualified(schema, columnsTable) + " SET state = 'retained'"
                + " WHERE table_name = ? AND slot = ANY (?)";
    }

    /** Removes the rows of a table's versions up to one: the table, then the version. */
    private String retireColumnsSql(String schema) {
        return "DELETE FROM " + PostgresIdentifiers.qualified(schema, columnsTable) + " WHERE table_name = ? AND version <= ?";
    }

    @Override
    public void recordColumns(Connection connection, String schema, SchemaVersion version) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(insertColumnsSql(schema))) {
            bindColumns(insert, 1, version);
            insert.executeUpdate();
        }
    }

    /** One round trip: the columns, the retained slots, the retirement and the entry, as statements sent together. */
    @Override
    public void recordApplied(Connection connection, String schema, HistoryEntry entry, java.util.Collection<String> retained,
            int retiredUpTo, boolean resumed) throws SQLException {
        StringBuilder sql = new StringBuilder(insertColumnsSql(schema));
        if (!retained.isEmpty()) {
            sql.append(";\n").append(markRetainedSql(schema));
        }
        if (retiredUpTo > 0) {
            sql.append(";\n").append(retireColumnsSql(schema));
        }
        sql.append(";\n").append(UPSERT.formatted(PostgresIdentifiers.qualified(schema, historyTable)));
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int index = bindColumns(statement, 1, entry.state());
            if (!retained.isEmpty()) {
                statement.setString(index++, entry.table());
                statement.setArray(index++, connection.createArrayOf("text", retained.toArray()));
            }
            if (retiredUpTo > 0) {
                statement.setString(index++, entry.table());
                statement.setInt(index++, retiredUpTo);
            }
            bindEntry(statement, index, entry);
            statement.execute();
        }
    }

    @Override
    public void markRetained(Connection connection, String schema, String table, java.util.Collection<String> slots)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(markRetainedSql(schema))) {
            update.setString(1, table);
            update.setArray(2, connection.createArrayOf("text", slots.toArray()));
            update.executeUpdate();
        }
    }

    @Override
    public void retireColumns(Connection connection, String schema, String table, int upTo) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(retireColumnsSql(schema))) {
            delete.setString(1, table);
            delete.setInt(2, upTo);
            delete.executeUpdate();
        }
    }

    @Override
    public Lock lock(Connection connection, String schema, String table, String owner, Duration wait) throws SQLException {
        boolean session = connection.getAutoCommit();
        // a session lock outlives the transaction, and so must the setting it changes; a transaction's goes with it
        String previousTimeout = session ? setting(connection, "lock_timeout") : null;
        if (session) {
            setLockTimeout(connection, wait, false);
        }
        try (PreparedStatement lock = connection.prepareStatement((session ? ""
                : "SET LOCAL lock_timeout = '" + Math.max(1, wait.toMillis()) + "ms';\n") + "SELECT pg_catalog."
                + (session ? "pg_advisory_lock" : "pg_advisory_xact_lock")
                + "(?, pg_catalog.hashtext(COALESCE(?, current_schema()) || '.' || ?))")) {
            lock.setInt(1, LOCK_SPACE);
            lock.setString(2, schema);
            lock.setString(3, table);
            lock.execute();
        } catch (SQLException e) {
            if (PostgresDialect.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, table, null, "another instance holds the"
                        + " migration lock and did not release it within " + wait, e);
            }
            throw e;
        } finally {
            if (session) {
                setConfig(connection, "lock_timeout", previousTimeout, false);
            }
        }
        LOG.debug("migration lock of {} taken by {} ({})", table, owner, session ? "session" : "transaction");
        if (!session) {
            return () -> LOG.debug("migration lock of {} ends with the transaction of {}", table, owner);
        }
        return () -> {
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_catalog.pg_advisory_unlock(?,"
                    + " pg_catalog.hashtext(COALESCE(?, current_schema()) || '.' || ?))")) {
                unlock.setInt(1, LOCK_SPACE);
                unlock.setString(2, schema);
                unlock.setString(3, table);
                unlock.execute();
            }
        };
    }

    static void setLockTimeout(Connection connection, Duration timeout, boolean local) throws SQLException {
        // 0 would mean "wait for ever"; the shortest real wait is a millisecond
        setConfig(connection, "lock_timeout", Math.max(1, timeout.toMillis()) + "ms", local);
    }

    private static void setConfig(Connection connection, String name, String value, boolean local) throws SQLException {
        try (PreparedStatement set = connection.prepareStatement("SELECT pg_catalog.set_config(?, ?, ?)")) {
            set.setString(1, name);
            set.setString(2, value);
            set.setBoolean(3, local);
            set.execute();
        }
    }

    private static String setting(Connection connection, String name) throws SQLException {
        try (PreparedStatement show = connection.prepareStatement("SELECT pg_catalog.current_setting(?)")) {
            show.setString(1, name);
            try (ResultSet row = show.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
