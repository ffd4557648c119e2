package io.github.schemaevolution.postgres;

import io.github.schemaevolution.spi.CheckpointStore;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checkpoints of chunked runs in an ordinary table keyed on (run, chunk), written in the chunk's
 * own transaction: a chunk's rows and its checkpoint commit together, so a resumed run never
 * applies a chunk twice. A second table, {@code <table>_runs}, keeps the chunk list each run was
 * started with, so that a resumed run works through the same chunks.
 */
final class PostgresCheckpoints implements CheckpointStore {
    /** The first key of chunk locks, apart from the migration locks' {@link PostgresHistory#LOCK_SPACE}. */
    private static final int CHUNK_LOCK_SPACE = PostgresHistory.LOCK_SPACE + 1;

    private final String table;
    private final String runs;

    PostgresCheckpoints(String table) {
        this.table = PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        this.runs = PostgresIdentifiers.RULES.check(Kind.TABLE, null, table + "_runs");
    }

    @Override
    public void ensureTable(Connection connection) throws SQLException {
        // runners starting together (instances of one application) would otherwise all create the table,
        // and all but one fail on the catalog's unique index: CREATE ... IF NOT EXISTS is not safe against itself
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_catalog.pg_advisory_xact_lock(?,"
                + " pg_catalog.hashtext(current_schema() || '.' || ?))");
             java.sql.Statement statement = connection.createStatement()) {
            lock.setInt(1, CHUNK_LOCK_SPACE);
            lock.setString(2, table);
            lock.execute();
            statement.execute("CREATE TABLE IF NOT EXISTS " + PostgresIdentifiers.qualified(null, table)
                    + " (run_id text NOT NULL, chunk_id text NOT NULL, rows_written bigint NOT NULL,"
                    + " finished_at timestamp with time zone NOT NULL DEFAULT now(), PRIMARY KEY (run_id, chunk_id))");
            statement.execute("CREATE TABLE IF NOT EXISTS " + PostgresIdentifiers.qualified(null, runs)
                    + " (run_id text PRIMARY KEY, chunk_source text NOT NULL,"
                    + " started_at timestamp with time zone NOT NULL DEFAULT now())");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    @Override
    public Optional<String> recordedSource(Connection connection, String runId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT chunk_source FROM "
                + PostgresIdentifiers.qualified(null, runs) + " WHERE run_id = ?")) {
            select.setString(1, runId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    @Override
    public String recordSource(Connection connection, String runId, String record) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + PostgresIdentifiers.qualified(null, runs)
                + " (run_id, chunk_source) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING")) {
            insert.setString(1, runId);
            insert.setString(2, record);
            insert.executeUpdate();
        }
        // the first runner's record holds, whoever inserted it
        return recordedSource(connection, runId).orElseThrow();
    }

    @Override
    public Set<String> finished(Connection connection, String runId, List<String> chunkIds) throws SQLException {
        Set<String> finished = new HashSet<>();
        if (chunkIds.isEmpty()) {
            return finished;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT chunk_id FROM " + PostgresIdentifiers.qualified(null, table)
                + " WHERE run_id = ? AND chunk_id = ANY (?)")) {
            select.setString(1, runId);
            select.setArray(2, connection.createArrayOf("text", chunkIds.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    finished.add(row.getString(1));
                }
            }
        }
        return finished;
    }

    /**
     * A transaction-scoped advisory lock on the chunk. Taken at once, the chunk is this runner's (should
     * another runner have finished it since the runner looked, {@link #markDone} finds its record);
     * held by another runner, it is waited for, and the checkpoints then show whether that runner
     * finished the chunk. Two chunks whose names hash alike only wait for each other.
     */
    @Override
    public boolean claim(Connection connection, String runId, String chunkId) throws SQLException {
        if (lock(connection, "pg_try_advisory_xact_lock", runId, chunkId)) {
            return true;
        }
        lock(connection, "pg_advisory_xact_lock", runId, chunkId);
        return finished(connection, runId, List.of(chunkId)).isEmpty();
    }

    private static boolean lock(Connection connection, String function, String runId, String chunkId) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_catalog." + function + "(?,"
                + " pg_catalog.hashtext(? || '/' || ?))::text")) {
            lock.setInt(1, CHUNK_LOCK_SPACE);
            lock.setString(2, runId);
            lock.setString(3, chunkId);
            try (ResultSet row = lock.executeQuery()) {
                // the waiting form returns void, as an empty text
                return row.next() && !"false".equals(row.getString(1));
            }
        }
    }

    @Override
    public boolean markDone(Connection connection, String runId, String chunkId, long rows) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + PostgresIdentifiers.qualified(null, table)
                + " (run_id, chunk_id, rows_written) VALUES (?, ?, ?) ON CONFLICT (run_id, chunk_id) DO NOTHING")) {
            insert.setString(1, runId);
            insert.setString(2, chunkId);
            insert.setLong(3, rows);
            return insert.executeUpdate() == 1;
        }
    }
}
