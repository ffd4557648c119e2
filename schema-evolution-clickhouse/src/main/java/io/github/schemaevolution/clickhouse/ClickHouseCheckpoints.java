package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.spi.CheckpointStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checkpoints of chunked runs in a ReplacingMergeTree keyed on (run, chunk). ClickHouse has no
 * transactions, so a chunk's work and its checkpoint are written one after the other: a chunk
 * interrupted between the two is run again, which is why ClickHouse chunk operations are
 * idempotent (a fill sets a value computed from the row, it does not add to it).
 */
final class ClickHouseCheckpoints implements CheckpointStore {
    private final IdentifierRules identifiers;
    private final String table;
    private final String runs;
    /** Where the checkpoints replicate to every node, so that a run resumes from any of them; or {@code null}. */
    private final ClickHouseCluster cluster;

    ClickHouseCheckpoints(IdentifierRules identifiers, String table, ClickHouseCluster cluster) {
        this.identifiers = identifiers;
        this.cluster = cluster;
        this.table = identifiers.check(Kind.TABLE, null, table);
        this.runs = identifiers.check(Kind.TABLE, null, table + "_runs");
    }

    @Override
    public void ensureTable(Connection connection) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + identifiers.qualified(null, table) + ClickHouseCluster.clause(cluster)
                    + " (run_id String, chunk_id String, rows_written UInt64, finished_at DateTime64(3, 'UTC') DEFAULT now64(3))"
                    + " ENGINE = " + ClickHouseCluster.libraryEngine(cluster, "ReplacingMergeTree") + " ORDER BY (run_id, chunk_id)");
            statement.execute("CREATE TABLE IF NOT EXISTS " + identifiers.qualified(null, runs) + ClickHouseCluster.clause(cluster)
                    + " (run_id String, chunk_source String, started_at DateTime64(6, 'UTC') DEFAULT now64(6))"
                    + " ENGINE = " + ClickHouseCluster.libraryEngine(cluster, "MergeTree") + " ORDER BY run_id");
        }
    }

    /**
     * The first record of the run: two runners starting at once may both insert one, and every
     * reader takes the earliest. A runner that reads before the other inserts sees its own, which is
     * the earlier: the other inserts after that read, so later by the server's clock.
     */
    @Override
    public Optional<String> recordedSource(Connection connection, String runId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT argMin(chunk_source, (started_at, chunk_source)),"
                + " count() FROM " + identifiers.qualified(null, runs) + " WHERE run_id = ?")) {
            select.setString(1, runId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getLong(2) > 0 ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    @Override
    public String recordSource(Connection connection, String runId, String record) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + identifiers.qualified(null, runs)
                + " (run_id, chunk_source) VALUES (?, ?)")) {
            insert.setString(1, runId);
            insert.setString(2, record);
            insert.executeUpdate();
        }
        return recordedSource(connection, runId).orElseThrow();
    }

    @Override
    public Set<String> finished(Connection connection, String runId, List<String> chunkIds) throws SQLException {
        Set<String> finished = new HashSet<>();
        if (chunkIds.isEmpty()) {
            return finished;
        }
        String placeholders = String.join(", ", Collections.nCopies(chunkIds.size(), "?"));
        try (PreparedStatement select = connection.prepareStatement("SELECT DISTINCT chunk_id FROM " + identifiers.qualified(null, table)
                + " WHERE run_id = ? AND chunk_id IN (" + placeholders + ")")) {
            select.setString(1, runId);
            for (int i = 0; i < chunkIds.size(); i++) {
                select.setString(i + 2, chunkIds.get(i));
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    finished.add(row.getString(1));
                }
            }
        }
        return finished;
    }

    @Override
    public boolean markDone(Connection connection, String runId, String chunkId, long rows) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + identifiers.qualified(null, table)
                + " (run_id, chunk_id, rows_written) VALUES (?, ?, ?)")) {
            insert.setString(1, runId);
            insert.setString(2, chunkId);
            insert.setLong(3, rows);
            insert.executeUpdate();
        }
        // a second record of the chunk is harmless: the ReplacingMergeTree keeps one
        return true;
    }
}
