package io.github.schemaevolution.api.gate;

import io.github.schemaevolution.api.Dialects;
import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.GateStore;
import io.github.schemaevolution.spi.IdentifierRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The seed's admin mode: a gate that an exclusive change (a swap, a rewrite, a migration marked
 * exclusive) closes, and that makes the application's user statements wait meanwhile.
 *
 * <p>The maintainer calls {@link #close}: the gate's state, a row in the database with a lease that
 * the maintainer renews every third of it, is closed, and {@code close} returns once every live
 * application instance has seen it and has no statement in flight (or after the drain timeout,
 * naming those that had not). An instance whose maintainer was killed sees the gate open again when
 * the lease ends. Each application instance wraps its user data source with {@link #gated}: a
 * statement meeting the closed gate waits in a bounded queue until it opens, and fails after the
 * queue timeout with a {@link java.sql.SQLTransientException} whose cause is
 * {@link ErrorCode#MAINTENANCE}; statements through {@link GatedDataSource#admin()} pass. An
 * instance started while the gate is closed waits too: the state is read before {@code gated}
 * returns, and every {@code poll} after.
 */
public final class MaintenanceGate {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceGate.class);
    /** The table the gates' state is kept in (and {@code <table>_instances}). */
    public static final String TABLE = "schema_evolution_gate";

    private final DataSource dataSource;
    private final GateStore store;
    private final String name;
    private final Duration poll;
    private final String instance;

    private MaintenanceGate(DataSource dataSource, GateStore store, String name, Duration poll, String instance) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.store = store;
        this.name = IdentifierRules.NEUTRAL.check(IdentifierRules.Kind.TABLE, null, name);
        this.poll = requirePositive(poll, "poll");
        this.instance = Objects.requireNonNull(instance, "instance");
    }

    /**
     * The gate {@code name} of the database {@code dataSource} reaches, its state kept in the
     * {@value #TABLE} tables there, polled every 100 ms by each instance.
     */
    public static MaintenanceGate of(DataSource dataSource, String name) {
        try (Connection connection = dataSource.getConnection()) {
            return of(dataSource, Dialects.forJdbcUrl(connection.getMetaData().getURL()), name);
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, "cannot open a connection to detect the dialect: "
                    + e.getMessage(), e);
        }
    }

    public static MaintenanceGate of(DataSource dataSource, Dialect dialect, String name) {
        return new MaintenanceGate(dataSource, dialect.gates(TABLE), name, Duration.ofMillis(100),
                ManagementFactory.getRuntimeMXBean().getName() + "#" + Long.toHexString(System.nanoTime()));
    }

    /** How often each instance reads the gate's state (and how soon it sees a change). */
    public MaintenanceGate withPoll(Duration every) {
        return new MaintenanceGate(dataSource, store, name, every, instance);
    }

    /** The name this process reports under: the JVM's pid@host by default, with a suffix per gate object. */
    public MaintenanceGate withInstance(String id) {
        return new MaintenanceGate(dataSource, store, name, poll, id);
    }

    public String name() {
        return name;
    }

    Duration poll() {
        return poll;
    }

    String instance() {
        return instance;
    }

    GateStore store() {
        return store;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** The gate's state now, as the database sees it. */
    public GateStore.State state() {
        try (Connection connection = dataSource.getConnection()) {
            store.ensureTables(connection);
            return store.read(connection, name);
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    /**
     * Wraps {@code userDataSource} so that its statements wait while the gate is closed, at most
     * {@code queueTimeout} each, at most {@code maxQueued} at a time (one more fails at once).
     */
    public GatedDataSource gated(DataSource userDataSource, Duration queueTimeout, int maxQueued) {
        if (maxQueued < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a gate's queue holds at least 1 statement, got " + maxQueued);
        }
        return new GatedDataSource(this, userDataSource, requirePositive(queueTimeout, "queueTimeout"), maxQueued);
    }

    /** A closed gate, held by this maintainer until {@link #open}; its lease is renewed meanwhile. */
    public static final class Closure implements AutoCloseable {
        private final MaintenanceGate gate;
        private final long epoch;
        private final ScheduledExecutorService renewal;
        private final List<String> undrained;
        private final AtomicBoolean open = new AtomicBoolean();

        private Closure(MaintenanceGate gate, long epoch, ScheduledExecutorService renewal, List<String> undrained) {
            this.gate = gate;
            this.epoch = epoch;
            this.renewal = renewal;
            this.undrained = List.copyOf(undrained);
        }

        public long epoch() {
            return epoch;
        }

        /** The instances that had not seen the closure, or still had statements in flight, when {@code close} stopped waiting. */
        public List<String> undrained() {
            return undrained;
        }

        /** Opens the gate: the statements that wait go on. Idempotent. */
        public void open() {
            if (!open.compareAndSet(false, true)) {
                return;
            }
            renewal.shutdownNow();
            try (Connection connection = gate.dataSource.getConnection()) {
                gate.store.open(connection, gate.name, epoch);
            } catch (SQLException e) {
                throw gate.failed("open", e);
            }
            LOG.info("maintenance gate {} open (epoch {})", gate.name, epoch);
        }

        @Override
        public void close() {
            open();
        }
    }

    /**
     * Closes the gate for {@code lease} (renewed every third of it while the closure is held), then
     * waits, at most {@code drainTimeout}, until every instance that reported within three polls has
     * seen it and has no statement in flight.
     *
     * @throws SchemaEvolutionException MAINTENANCE when another maintainer holds the gate
     */
    public Closure close(Duration lease, Duration drainTimeout) {
        requirePositive(lease, "lease");
        try (Connection connection = dataSource.getConnection()) {
            store.ensureTables(connection);
            OptionalLong epoch = store.close(connection, name, instance, lease);
            if (epoch.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.MAINTENANCE, "maintenance gate " + name + " is closed by "
                        + store.read(connection, name).holder() + " already");
            }
            ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gate-" + name + "-lease");
                thread.setDaemon(true);
                return thread;
            });
            long every = Math.max(1, lease.toMillis() / 3);
            renewal.scheduleAtFixedRate(() -> renew(epoch.getAsLong(), lease), every, every, TimeUnit.MILLISECONDS);
            LOG.info("maintenance gate {} closed by {} (epoch {}, lease {} ms); waiting for the instances to drain", name,
                    instance, epoch.getAsLong(), lease.toMillis());
            List<String> undrained = drain(connection, epoch.getAsLong(), drainTimeout);
            if (!undrained.isEmpty()) {
                LOG.warn("maintenance gate {}: {} instance(s) had not drained after {} ms: {}", name, undrained.size(),
                        drainTimeout.toMillis(), undrained);
            }
            return new Closure(this, epoch.getAsLong(), renewal, undrained);
        } catch (SQLException e) {
            throw failed("close", e);
        }
    }

    private List<String> drain(Connection connection, long epoch, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> waiting = store.reports(connection, name, poll.multipliedBy(3).plusSeconds(1)).stream()
                    .filter(report -> report.seenEpoch() < epoch || report.inFlight() > 0)
                    .map(report -> report.instance() + (report.seenEpoch() < epoch ? " (not seen yet)"
                            : " (" + report.inFlight() + " in flight)"))
                    .toList();
            if (waiting.isEmpty() || System.nanoTime() > deadline) {
                return waiting;
            }
            try {
                Thread.sleep(Math.max(1, poll.toMillis() / 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return waiting;
            }
        }
    }

    private void renew(long epoch, Duration lease) {
        try (Connection connection = dataSource.getConnection()) {
            if (!store.renew(connection, name, epoch, lease)) {
                LOG.error("maintenance gate {}: the lease of epoch {} was lost; the gate may be open", name, epoch);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("maintenance gate {}: renewing the lease failed: {}", name, e.getMessage());
        }
    }

    SchemaEvolutionException failed(String what, SQLException e) {
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, "cannot " + what + " maintenance gate " + name + ": "
                + e.getMessage(), e);
    }

    private static Duration requirePositive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a gate's " + what + " must be positive, got " + duration);
        }
        return duration;
    }
}
