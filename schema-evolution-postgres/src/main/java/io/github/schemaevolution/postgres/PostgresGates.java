package io.github.schemaevolution.postgres;

import io.github.schemaevolution.spi.GateStore;
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
 * Maintenance gates on PostgreSQL: a row per gate (epoch, holder, lease end) that a closing
 * maintainer takes with one upsert, conditional on the gate being open or its lease over, and a row
 * per application instance, all judged by {@code clock_timestamp()}.
 */
final class PostgresGates implements GateStore {
    private final String gates;
    private final String instances;

    PostgresGates(String table) {
        this.gates = PostgresIdentifiers.RULES.quote(Kind.TABLE, null, table);
        this.instances = PostgresIdentifiers.RULES.quote(Kind.TABLE, null, table + "_instances");
    }

    @Override
    public void ensureTables(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + gates + " (gate text PRIMARY KEY, epoch bigint NOT NULL,"
                    + " holder text, lease_until timestamptz)");
            statement.execute("CREATE TABLE IF NOT EXISTS " + instances + " (gate text NOT NULL, instance text NOT NULL,"
                    + " seen_epoch bigint NOT NULL, in_flight integer NOT NULL, reported_at timestamptz NOT NULL,"
                    + " PRIMARY KEY (gate, instance))");
        }
    }

    @Override
    public State read(Connection connection, String gate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT epoch, holder,"
                + " holder IS NOT NULL AND lease_until > clock_timestamp() FROM " + gates + " WHERE gate = ?")) {
            select.setString(1, gate);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new State(row.getLong(1), row.getString(2), row.getBoolean(3)) : new State(0, null, false);
            }
        }
    }

    @Override
    public OptionalLong close(Connection connection, String gate, String holder, Duration lease) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + gates + " AS g VALUES (?, 1, ?,"
                + " clock_timestamp() + ? * interval '1 millisecond') ON CONFLICT (gate) DO UPDATE SET epoch = g.epoch + 1,"
                + " holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until"
                + " WHERE g.holder IS NULL OR g.lease_until <= clock_timestamp() RETURNING epoch")) {
            upsert.setString(1, gate);
            upsert.setString(2, holder);
            upsert.setLong(3, lease.toMillis());
            try (ResultSet row = upsert.executeQuery()) {
                return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    @Override
    public boolean renew(Connection connection, String gate, long epoch, Duration lease) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + gates + " SET lease_until = clock_timestamp()"
                + " + ? * interval '1 millisecond' WHERE gate = ? AND epoch = ? AND holder IS NOT NULL"
                + " AND lease_until > clock_timestamp()")) {
            update.setLong(1, lease.toMillis());
            update.setString(2, gate);
            update.setLong(3, epoch);
            return update.executeUpdate() == 1;
        }
    }

    @Override
    public void open(Connection connection, String gate, long epoch) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + gates + " SET holder = NULL, lease_until = NULL"
                + " WHERE gate = ? AND epoch = ?")) {
            update.setString(1, gate);
            update.setLong(2, epoch);
            update.executeUpdate();
        }
    }

    @Override
    public void report(Connection connection, String gate, String instance, long seenEpoch, int inFlight) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + instances + " VALUES (?, ?, ?, ?,"
                + " clock_timestamp()) ON CONFLICT (gate, instance) DO UPDATE SET seen_epoch = EXCLUDED.seen_epoch,"
                + " in_flight = EXCLUDED.in_flight, reported_at = EXCLUDED.reported_at")) {
            upsert.setString(1, gate);
            upsert.setString(2, instance);
            upsert.setLong(3, seenEpoch);
            upsert.setInt(4, inFlight);
            upsert.executeUpdate();
        }
    }

    @Override
    public List<Report> reports(Connection connection, String gate, Duration within) throws SQLException {
        List<Report> reports = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT instance, seen_epoch, in_flight FROM " + instances
                + " WHERE gate = ? AND reported_at > clock_timestamp() - ? * interval '1 millisecond' ORDER BY instance")) {
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
