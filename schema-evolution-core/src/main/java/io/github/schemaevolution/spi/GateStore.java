package io.github.schemaevolution.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * Where a dialect keeps the state of {@link io.github.schemaevolution.api.gate.MaintenanceGate}s: one
 * state per gate (its epoch, holder and lease, judged by the database's clock, so that every instance
 * agrees), and each application instance's report of the epoch it has seen and the statements it has
 * in flight.
 */
public interface GateStore {
    /** A gate as the database sees it now: closed while a holder's lease runs. */
    record State(long epoch, String holder, boolean closed) {
    }

    /** What an instance last said: the epoch it has seen and its statements in flight then. */
    record Report(String instance, long seenEpoch, int inFlight) {
    }

    /** Creates the tables if they are missing; idempotent. */
    void ensureTables(Connection connection) throws SQLException;

    State read(Connection connection, String gate) throws SQLException;

    /**
     * Closes the gate for {@code holder} for {@code lease} if it is open or its lease is over: of
     * several maintainers at once, one succeeds. Returns the new epoch, or empty when another holder's
     * lease runs.
     */
    OptionalLong close(Connection connection, String gate, String holder, Duration lease) throws SQLException;

    /** Extends the lease of epoch {@code epoch}; false when the gate is no longer held under it. */
    boolean renew(Connection connection, String gate, long epoch, Duration lease) throws SQLException;

    /** Opens the gate if it is still held under {@code epoch}. */
    void open(Connection connection, String gate, long epoch) throws SQLException;

    void report(Connection connection, String gate, String instance, long seenEpoch, int inFlight) throws SQLException;

    /** The reports of the instances that reported within {@code within}. */
    List<Report> reports(Connection connection, String gate, Duration within) throws SQLException;
}
