package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.StateChain;
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
 * STARTED and then APPLIED, and reads use {@code FINAL} so that the later state wins. The migration
 * lock is a {@link ClickHouseLock}: a lease renewed while its holder works; without a source of
 * connections to renew it from, it is held for {@link #LEASE} at most.
 */
final class ClickHouseHistory implements HistoryStore {
    static final Duration LEASE = Duration.ofMinutes(30);

    private final IdentifierRules identifiers;
    private final String historyTable;
    private final String columnsTable;
    /** Where the history is replicated to every node (its tables created ON CLUSTER), or {@code null}. */
    private final ClickHouseCluster cluster;

    ClickHouseHistory(IdentifierRules identifiers, String historyTable, ClickHouseCluster cluster) {
        this.identifiers = identifiers;
        this.cluster = cluster;
        this.historyTable = identifiers.check(Kind.TABLE, null, historyTable);
        this.columnsTable = identifiers.check(Kind.TABLE, null, historyTable + "_columns");
    }

    @Override
    public void ensureTable(Connection connection, String schema) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + identifiers.qualified(schema, historyTable) + ClickHouseCluster.clause(cluster) + " ("
                    + "table_name String, version UInt32, migration_id String, description String, checksum String,"
                    + " status LowCardinality(String), status_rank UInt8, started_at DateTime64(3, 'UTC'),"
                    + " finished_at Nullable(DateTime64(3, 'UTC')), applied_by String, state String"
                    + ") ENGINE = " + ClickHouseCluster.libraryEngine(cluster, "ReplacingMergeTree(status_rank)") + " ORDER BY (table_name, version)"
                    + " COMMENT 'schema history of tables managed by schema-evolution'");
            statement.execute("CREATE TABLE IF NOT EXISTS " + identifiers.qualified(schema, columnsTable) + ClickHouseCluster.clause(cluster) + " ("
                    + "table_name String, version UInt32, position UInt32, column_name String, physical_name String,"
                    + " column_type String, slot String, state LowCardinality(String))"
                    + " ENGINE = " + ClickHouseCluster.libraryEngine(cluster, "ReplacingMergeTree") + " ORDER BY (table_name, version, position)"
                    + " COMMENT 'the columns of every live version of the tables schema-evolution manages: what readers"
                    + " find in a version''s view and what writers write, by physical column'");
        }
    }

    /** The columns of a version are looked for only when resumed: a first attempt of the version has none recorded. */
    @Override
    public void recordColumns(Connection connection, String schema, SchemaVersion version, boolean resumed) throws SQLException {
        if (resumed) {
            recordColumns(connection, schema, version);
        } else {
            insertColumns(connection, schema, version);
        }
    }

    /** Inserted once per version: a resumed migration finds them and inserts nothing, so plain reads see no duplicates. */
    @Override
    public void recordColumns(Connection connection, String schema, SchemaVersion version) throws SQLException {
        String qualified = identifiers.qualified(schema, columnsTable);
        try (PreparedStatement count = connection.prepareStatement("SELECT count() FROM " + qualified
                + " WHERE table_name = ? AND version = ?")) {
            count.setString(1, version.table());
            count.setInt(2, version.version());
            try (ResultSet row = count.executeQuery()) {
                if (row.next() && row.getLong(1) > 0) {
                    return;
                }
            }
        }
        insertColumns(connection, schema, version);
    }

    private void insertColumns(Connection connection, String schema, SchemaVersion version) throws SQLException {
        String qualified = identifiers.qualified(schema, columnsTable);
        if (version.columns().isEmpty()) {
            return;
        }
        StringBuilder insert = new StringBuilder("INSERT INTO " + qualified
                + " (table_name, version, position, column_name, physical_name, column_type, slot, state) VALUES ");
        java.util.Map<String, String> physicalNames = version.physicalNames();
        int position = 0;
        for (io.github.schemaevolution.api.evolution.MappedColumn column : version.columns()) {
            insert.append(position == 0 ? "" : ", ").append('(').append(ClickHouseSql.string(version.table())).append(", ")
                    .append(version.version()).append(", ").append(++position).append(", ")
                    .append(ClickHouseSql.string(column.name())).append(", ")
                    .append(ClickHouseSql.string(physicalNames.get(column.name()))).append(", ")
                    .append(ClickHouseSql.string(column.type().sql())).append(", ")
                    .append(ClickHouseSql.string(column.slot())).append(", 'in use')");
        }
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute(insert.toString());
        }
    }

    @Override
    public void markRetained(Connection connection, String schema, String table, java.util.Collection<String> slots)
            throws SQLException {
        String list = slots.stream().map(ClickHouseSql::string).collect(java.util.stream.Collectors.joining(", "));
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + identifiers.qualified(schema, columnsTable) + " UPDATE state = 'retained'"
                    + " WHERE table_name = " + ClickHouseSql.string(table) + " AND slot IN (" + list + ")"
                    + " SETTINGS mutations_sync = 2");
        }
    }

    @Override
    public void retireColumns(Connection connection, String schema, String table, int upTo) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + identifiers.qualified(schema, columnsTable) + " DELETE WHERE table_name = "
                    + ClickHouseSql.string(table) + " AND version <= " + upTo + " SETTINGS mutations_sync = 2");
        }
    }

    @Override
    public List<HistoryEntry> entries(Connection connection, String schema, String table) throws SQLException {
        List<HistoryEntry> entries = new ArrayList<>();
        // read without looking for the table first: a missing one is an error, and changes nothing here
        try (PreparedStatement select = connection.prepareStatement("SELECT version, migration_id, description, checksum,"
                + " status, toUnixTimestamp64Milli(started_at), toUnixTimestamp64Milli(finished_at), applied_by, state"
                + " FROM " + identifiers.qualified(schema, historyTable) + " FINAL WHERE table_name = ? ORDER BY version")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                // each state is stored as its change from the one before, which is read first
                StateChain states = StateChain.of(schema, table);
                while (row.next()) {
                    long finished = row.getLong(7);
                    boolean hasFinished = !row.wasNull();
                    SchemaVersion previous = states.previous();
                    entries.add(new HistoryEntry(table, row.getInt(1), row.getString(2), row.getString(3),
                            row.getString(4), HistoryEntry.Status.valueOf(row.getString(5)),
                            Instant.ofEpochMilli(row.getLong(6)), hasFinished ? Instant.ofEpochMilli(finished) : null,
                            row.getString(8), states.next(row.getString(9)), previous));
                }
                states.remember();
            }
        } catch (SQLException e) {
            if (!ClickHouseSql.unknownTable(e)) {
                throw e;
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
            insert.setString(12, entry.storedState());
            insert.executeUpdate();
        }
    }

    @Override
    public Lock lock(Connection connection, String schema, String table, String owner, Duration wait) throws SQLException {
        return lock(connection, schema, table, owner, wait, LEASE, null);
    }

    @Override
    public Lock lock(Connection connection, String schema, String table, String owner, Duration wait, Duration lease,
            javax.sql.DataSource renewals) throws SQLException {
        return new ClickHouseLock(identifiers, cluster).take(connection, schema, table, owner, wait, lease, renewals);
    }
}
