package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Schema history in a ReplacingMergeTree keyed on (table, version): an entry is first written
 * STARTED and then APPLIED, and reads use {@code FINAL} so that the later state wins.
 *
 * <p>The migration lock: ClickHouse has no transactions and no advisory locks, but creating a
 * table is atomic on a server: of several {@code CREATE TABLE} statements for one name exactly one
 * succeeds. The lock is a small Memory table {@code schema_evolution_lock_<table>} whose comment
 * names the holder and the end of its lease; it is dropped on release. A holder that died leaves
 * its lock behind until the lease ends ({@link #LEASE}); then the next waiter breaks it. Guarantee:
 * mutual exclusion on one server (or on a Replicated database, whose DDL is serialised through
 * Keeper) as long as no migration outlives its lease.
 */
final class ClickHouseHistory implements HistoryStore {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseHistory.class);
    static final Duration LEASE = Duration.ofMinutes(30);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private final IdentifierRules identifiers;
    private final String historyTable;

    ClickHouseHistory(IdentifierRules identifiers, String historyTable) {
        this.identifiers = identifiers;
        this.historyTable = identifiers.check(Kind.TABLE, null, historyTable);
    }

    @Override
    public void ensureTable(Connection connection, String schema) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + identifiers.qualified(schema, historyTable) + " ("
                    + "table_name String, version UInt32, migration_id String, description String, checksum String,"
                    + " status LowCardinality(String), status_rank UInt8, started_at DateTime64(3, 'UTC'),"
                    + " finished_at Nullable(DateTime64(3, 'UTC')), applied_by String, state String"
                    + ") ENGINE = ReplacingMergeTree(status_rank) ORDER BY (table_name, version)"
                    + " COMMENT 'schema history of tables managed by schema-evolution'");
        }
    }

    @Override
    public List<HistoryEntry> entries(Connection connection, String schema, String table) throws SQLException {
        List<HistoryEntry> entries = new ArrayList<>();
        if (tableComment(connection, schema, historyTable) == null) {
            return entries;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT version, migration_id, description, checksum,"
                + " status, toUnixTimestamp64Milli(started_at), toUnixTimestamp64Milli(finished_at), applied_by, state"
                + " FROM " + identifiers.qualified(schema, historyTable) + " FINAL WHERE table_name = ? ORDER BY version")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    long finished = row.getLong(7);
                    boolean hasFinished = !row.wasNull();
                    entries.add(new HistoryEntry(table, row.getInt(1), row.getString(2), row.getString(3),
                            row.getString(4), HistoryEntry.Status.valueOf(row.getString(5)),
                            Instant.ofEpochMilli(row.getLong(6)), hasFinished ? Instant.ofEpochMilli(finished) : null,
                            row.getString(8), SchemaVersion.decode(row.getString(9))));
                }
            }
        }
        return entries;
    }

    @Override
    public void record(Connection connection, String schema, HistoryEntry entry) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + identifiers.qualified(schema, historyTable)
                + " (table_name, version, migration_id, description, checksum, status, status_rank, started_at, finished_at,"
                + " applied_by, state) SELECT ?, ?, ?, ?, ?, ?, ?, fromUnixTimestamp64Milli(?, 'UTC'),"
                + " if(? = 0, NULL, fromUnixTimestamp64Milli(?, 'UTC')), ?, ?")) {
            long finished = entry.finishedAt() == null ? 0 : entry.finishedAt().toEpochMilli();
            insert.setString(1, entry.table());
            insert.setInt(2, entry.version());
            insert.setString(3, entry.migrationId());
            insert.setString(4, entry.description());
            insert.setString(5, entry.checksum());
            insert.setString(6, entry.status().name());
            insert.setInt(7, entry.status().ordinal() + 1);
            insert.setLong(8, entry.startedAt().toEpochMilli());
            insert.setLong(9, finished);
            insert.setLong(10, finished);
            insert.setString(11, entry.appliedBy());
            insert.setString(12, entry.state().encode());
            insert.executeUpdate();
        }
    }

    @Override
    public Lock lock(Connection connection, String schema, String table, String owner, Duration wait) throws SQLException {
        String lockName = identifiers.check(Kind.TABLE, null, "schema_evolution_lock_" + table);
        String qualified = identifiers.qualified(schema, lockName);
        Instant deadline = Instant.now().plus(wait);
        Duration poll = Duration.ofMillis(20);
        while (true) {
            Instant expires = Instant.now().plus(LEASE);
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE " + qualified + " (owner String) ENGINE = Memory COMMENT "
                        + ClickHouseSql.string(owner + "|" + expires.toEpochMilli()));
                LOG.debug("migration lock {} taken by {}", lockName, owner);
                return () -> release(connection, qualified, lockName, owner);
            } catch (SQLException e) {
                if (!alreadyExists(e)) {
                    throw e;
                }
            }
            breakIfExpired(connection, schema, lockName, qualified);
            if (Instant.now().isAfter(deadline)) {
                throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, table, null,
                        "another instance holds the migration lock (" + tableComment(connection, schema, lockName)
                                + ") and did not release it within " + wait, null);
            }
            sleep(poll);
            poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
        }
    }

    private void release(Connection connection, String qualified, String lockName, String owner) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + qualified + " SYNC");
            LOG.debug("migration lock {} released by {}", lockName, owner);
        }
    }

    private void breakIfExpired(Connection connection, String schema, String lockName, String qualified) throws SQLException {
        String holder = tableComment(connection, schema, lockName);
        int bar = holder == null ? -1 : holder.lastIndexOf('|');
        if (bar < 0) {
            return;
        }
        long expires = Long.parseLong(holder.substring(bar + 1));
        if (expires < System.currentTimeMillis()) {
            LOG.warn("breaking migration lock {} of {}: its lease ended at {}", lockName, holder.substring(0, bar),
                    Instant.ofEpochMilli(expires));
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS " + qualified + " SYNC");
            }
        }
    }

    /** The comment of the table {@code lockName} (a lock's holder and lease), or {@code null} when there is no such table. */
    private static String tableComment(Connection connection, String schema, String lockName) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT comment FROM system.tables"
                + " WHERE database = " + (schema == null ? "currentDatabase()" : "?") + " AND name = ?")) {
            int index = 1;
            if (schema != null) {
                select.setString(index++, schema);
            }
            select.setString(index, lockName);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private static boolean alreadyExists(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("TABLE_ALREADY_EXISTS") || message.contains("Code: 57."))) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, "interrupted while waiting for the migration lock", e);
        }
    }
}
