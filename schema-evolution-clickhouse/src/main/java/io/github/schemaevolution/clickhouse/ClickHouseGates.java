package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.spi.GateStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Maintenance gates on ClickHouse, written by inserts only: each change of a gate is a row of
 * {@code <table>} and each instance's report a row of {@code <table>_instances} (ReplacingMergeTree, the
 * latest row per key read with {@code argMax}, so merges need not have run), judged by {@code now64}.
 * Closing takes the next epoch by creating its marker table {@code <table>_<gate>_<epoch>}, which of
 * several maintainers one succeeds in (a server's {@code CREATE TABLE} is atomic); the marker of the
 * epoch before is dropped then.
 */
final class ClickHouseGates implements GateStore {
    private final IdentifierRules identifiers;
    private final String table;
    private final String gates;
    private final String instances;

    ClickHouseGates(IdentifierRules identifiers, String table) {
        this.identifiers = identifiers;
        this.table = identifiers.check(Kind.TABLE, null, table);
        this.gates = identifiers.quote(Kind.TABLE, null, table);
        this.instances = identifiers.quote(Kind.TABLE, null, table + "_instances");
    }

    @Override
    public void ensureTables(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + gates + " (gate String, epoch UInt64, holder String,"
                    + " lease_until DateTime64(3, 'UTC'), written DateTime64(6, 'UTC')) ENGINE = ReplacingMergeTree(written) ORDER BY gate");
            statement.execute("CREATE TABLE IF NOT EXISTS " + instances + " (gate String, instance String, seen_epoch UInt64,"
                    + " in_flight Int32, reported_at DateTime64(6, 'UTC')) ENGINE = ReplacingMergeTree(reported_at)"
                    // the reports of instances gone for a week are removed by merges, not kept for ever
                    + " ORDER BY (gate, instance) TTL toDateTime(reported_at) + INTERVAL 7 DAY");
        }
    }

    @Override
    public State read(Connection connection, String gate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT argMax(epoch, written), argMax(holder, written),"
                + " argMax(holder, written) != '' AND argMax(lease_until, written) > now64(3) FROM " + gates + " WHERE gate = ?")) {
            select.setString(1, gate);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                String holder = row.getString(2);
                return new State(row.getLong(1), holder == null || holder.isEmpty() ? null : holder, row.getBoolean(3));
            }
        }
    }

    @Override
    public OptionalLong close(Connection connection, String gate, String holder, Duration lease) throws SQLException {
        State state = read(connection, gate);
        if (state.closed()) {
            return OptionalLong.empty();
        }
        long epoch = state.epoch() + 1;
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + marker(gate, epoch) + " (epoch UInt64) ENGINE = Memory");
        } catch (SQLException e) {
            if (ClickHouseLock.alreadyExists(e)) {
                return OptionalLong.empty();
            }
            throw e;
        }
        write(connection, gate, epoch, holder, lease);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + marker(gate, epoch - 1));
        }
        return OptionalLong.of(epoch);
    }

    private String marker(String gate, long epoch) {
        return identifiers.quote(Kind.TABLE, null, table + "_" + gate + "_" + epoch);
    }

    private void write(Connection connection, String gate, long epoch, String holder, Duration lease) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + gates + " SELECT ?, ?, ?,"
                + " now64(3) + toIntervalMillisecond(?), now64(6)")) {
            insert.setString(1, gate);
            insert.setLong(2, epoch);
            insert.setString(3, holder);
            insert.setLong(4, lease.toMillis());
            insert.executeUpdate();
        }
    }

    @Override
    public boolean renew(Connection connection, String gate, long epoch, Duration lease) throws SQLException {
        State state = read(connection, gate);
        if (!state.closed() || state.epoch() != epoch) {
            return false;
        }
        write(connection, gate, epoch, state.holder(), lease);
        return true;
    }

    @Override
    public void open(Connection connection, String gate, long epoch) throws SQLException {
        if (read(connection, gate).epoch() == epoch) {
            write(connection, gate, epoch, "", Duration.ZERO);
        }
    }

    @Override
    public void report(Connection connection, String gate, String instance, long seenEpoch, int inFlight) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + instances + " SELECT ?, ?, ?, ?, now64(6)")) {
            insert.setString(1, gate);
            insert.setString(2, instance);
            insert.setLong(3, seenEpoch);
            insert.setInt(4, inFlight);
            insert.executeUpdate();
        }
    }

    @Override
    public List<Report> reports(Connection connection, String gate, Duration within) throws SQLException {
        List<Report> reports = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT instance, argMax(seen_epoch, reported_at),"
                + " argMax(in_flight, reported_at) FROM " + instances + " WHERE gate = ? GROUP BY instance"
                + " HAVING max(reported_at) > now64(6) - toIntervalMillisecond(?) ORDER BY instance")) {
            select.setString(1, gate);
            select.setLong(2, within.toMillis());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    reports.add(new Report(row.getString(1), row.getLong(2), row.getInt(3)));
                }
            }
        }
        return reports;
    }
}
