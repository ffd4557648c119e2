package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.evolution.HistoryEntry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Where an engine keeps the schema history of its tables, and how it serialises migrations.
 * Implementations are stateless; every call gets the connection to work on.
 */
public interface HistoryStore {

    /** Creates the history table in {@code schema} if it is missing. Safe to call concurrently. */
    void ensureTable(Connection connection, String schema) throws SQLException;

    /**
     * The history of one table, oldest version first; for a version recorded twice, the latest record
     * wins. Empty when the history table does not exist yet: reading never creates it.
     */
    List<HistoryEntry> entries(Connection connection, String schema, String table) throws SQLException;

    /** Records (or replaces) the entry for its table and version. */
    void record(Connection connection, String schema, HistoryEntry entry) throws SQLException;

    /**
     * Records the columns of {@code version} in the mapping table ({@code <history table>_columns}),
     * unless they are recorded: one row per logical column with its position, physical column, type,
     * slot (the physical column's identity, which outlives renames) and state ({@code in use}), so
     * that a service in any language finds what to read and write with one {@code SELECT}.
     */
    void recordColumns(Connection connection, String schema, io.github.schemaevolution.api.evolution.SchemaVersion version)
            throws SQLException;

    /**
     * {@link #recordColumns(Connection, String, io.github.schemaevolution.api.evolution.SchemaVersion)}, told
     * whether an earlier attempt of the version may have recorded them ({@code resumed}): an engine that
     * must look for them first (ClickHouse, which has no upsert) looks only then.
     */
    default void recordColumns(Connection connection, String schema, io.github.schemaevolution.api.evolution.SchemaVersion version,
            boolean resumed) throws SQLException {
        recordColumns(connection, schema, version);
    }

    /**
     * Marks in the mapping table the rows of {@code slots} as {@code retained}: their columns were
     * dropped from the newest version and are kept only for the versions whose rows these are.
     */
    void markRetained(Connection connection, String schema, String table, java.util.Collection<String> slots) throws SQLException;

    /** Removes from the mapping table the versions of {@code table} up to {@code upTo}, which are retired. */
    void retireColumns(Connection connection, String schema, String table, int upTo) throws SQLException;

    /**
     * Records an applied migration as the steps above, in this order: the columns of its version
     * ({@link #recordColumns(Connection, String, io.github.schemaevolution.api.evolution.SchemaVersion, boolean)}),
     * the {@code retained} slots ({@link #markRetained}, when there are any),
     * the retirement of the versions up to {@code retiredUpTo} ({@link #retireColumns}, when it is over
     * 0), then {@code entry}. {@code resumed} says an earlier attempt may have recorded the columns
     * already. An engine may send it all at once: PostgreSQL does, in one statement.
     */
    default void recordApplied(Connection connection, String schema, HistoryEntry entry, java.util.Collection<String> retained,
            int retiredUpTo, boolean resumed) throws SQLException {
        recordColumns(connection, schema, entry.state(), resumed);
        if (!retained.isEmpty()) {
            markRetained(connection, schema, entry.table(), retained);
        }
        if (retiredUpTo > 0) {
            retireColumns(connection, schema, entry.table(), retiredUpTo);
        }
        record(connection, schema, entry);
    }

    /**
     * Takes the migration lock of one table, waiting at most {@code wait}: exactly one holder at a
     * time across every application instance. On engines with transactional DDL the lock belongs
     * to the connection's current transaction and ends with it.
     *
     * @throws io.github.schemaevolution.api.SchemaEvolutionException LOCK_TIMEOUT when not obtained in time
     */
    Lock lock(Connection connection, String schema, String table, String owner, Duration wait) throws SQLException;

    /**
     * {@link #lock(Connection, String, String, String, Duration)} for engines whose lock is a lease (no
     * transaction ends it when its holder dies): held for {@code lease} and renewed, while held, through
     * connections of {@code renewals}, so that a killed holder delays the next one by about one lease.
     * Engines whose lock ends with the holder's session ignore both.
     */
    default Lock lock(Connection connection, String schema, String table, String owner, Duration wait, Duration lease,
            javax.sql.DataSource renewals) throws SQLException {
        return lock(connection, schema, table, owner, wait);
    }

    /** A held migration lock. */
    interface Lock extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }
}
