package io.github.schemaevolution.api.gate;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.GateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An application's user data source behind a {@link MaintenanceGate}: every statement it runs
 * ({@code execute*} of its statements) first passes the gate. While the gate is open that costs a
 * read of a field and a counter; while it is closed the statement waits in a bounded queue, and fails
 * after the queue timeout. Connections, transactions and everything else pass through unchanged, so a
 * transaction under way can always commit or roll back. {@link #admin()} gives the same database
 * without the gate, for the maintainer's own statements. Close it to stop its polling.
 */
public final class GatedDataSource implements DataSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatedDataSource.class);
    /** How often an instance says it is alive while the gate is open. */
    private static final long HEARTBEAT_NANOS = Duration.ofSeconds(1).toNanos();

    private final MaintenanceGate gate;
    private final DataSource delegate;
    private final long queueTimeoutNanos;
    private final int maxQueued;
    private final ScheduledExecutorService poller;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition opened = lock.newCondition();
    private volatile boolean closed;
    private volatile long epoch;
    private volatile String holder;
    private int queued;
    private long reportedEpoch = -1;
    private int reportedInFlight = -1;
    private long lastReport;

    GatedDataSource(MaintenanceGate gate, DataSource delegate, Duration queueTimeout, int maxQueued) {
        this.gate = gate;
        this.delegate = delegate;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.maxQueued = maxQueued;
        try (Connection connection = gate.dataSource().getConnection()) {
            gate.store().ensureTables(connection);
        } catch (SQLException e) {
            throw gate.failed("set up", e);
        }
        // the first read before any statement: an instance that starts during maintenance waits too
        pollOnce();
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "gate-" + gate.name() + "-poll");
            thread.setDaemon(true);
            return thread;
        });
        long every = gate.poll().toNanos();
        poller.scheduleWithFixedDelay(this::pollOnce, every, every, TimeUnit.NANOSECONDS);
    }

    /** The gate as this instance last read it, and its queue. */
    public record View(boolean closed, long epoch, String holder, int queued, int inFlight) {
    }

    public View view() {
        lock.lock();
        try {
            return new View(closed, epoch, holder, queued, inFlight.get());
        } finally {
            lock.unlock();
        }
    }

    /** The same database without the gate, for statements marked administrative. */
    public DataSource admin() {
        return delegate;
    }

    private void pollOnce() {
        try (Connection connection = gate.dataSource().getConnection()) {
            GateStore.State state = gate.store().read(connection, gate.name());
            boolean wasClosed = closed;
            epoch = state.epoch();
            holder = state.holder();
            closed = state.closed();
            if (wasClosed != state.closed()) {
                transition(state);
            }
            // read after the state is set: a statement that passed the gate before is counted here
            int running = inFlight.get();
            long now = System.nanoTime();
            if (state.closed() || state.epoch() != reportedEpoch || running != reportedInFlight && closed
                    || now - lastReport > HEARTBEAT_NANOS) {
                gate.store().report(connection, gate.name(), gate.instance(), state.epoch(), running);
                reportedEpoch = state.epoch();
                reportedInFlight = running;
                lastReport = now;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("maintenance gate {}: cannot read its state, keeping the last one ({}): {}", gate.name(),
                    closed ? "closed" : "open", e.getMessage());
        }
    }

    private void transition(GateStore.State state) {
        lock.lock();
        try {
            if (state.closed()) {
                LOG.info("maintenance gate {} closed by {} (epoch {}): user statements wait, at most {} ms, {} at most",
                        gate.name(), state.holder(), state.epoch(), queueTimeoutNanos / 1_000_000, maxQueued);
            } else {
                LOG.info("maintenance gate {} open again (epoch {}): {} waiting statement(s) go on", gate.name(),
                        state.epoch(), queued);
                opened.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Passes the gate, waiting while it is closed; {@link #exit} after the statement. */
    private void enter(String what) throws SQLException {
        boolean waiting = false;
        long deadline = 0;
        try {
            while (true) {
                inFlight.incrementAndGet();
                if (!closed) {
                    return;
                }
                inFlight.decrementAndGet();
                lock.lock();
                try {
                    if (!waiting) {
                        if (queued >= maxQueued) {
                            throw refused("its queue is full (" + maxQueued + " statements wait)", what);
                        }
                        queued++;
                        waiting = true;
                        deadline = System.nanoTime() + queueTimeoutNanos;
                    }
                    while (closed) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw refused("it stayed closed for " + queueTimeoutNanos / 1_000_000 + " ms", what);
                        }
                        opened.awaitNanos(left);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused("the waiting thread was interrupted", what);
        } finally {
            if (waiting) {
                lock.lock();
                try {
                    queued--;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void exit() {
        inFlight.decrementAndGet();
    }

    private SQLTransientException refused(String why, String what) {
        SchemaEvolutionException cause = new SchemaEvolutionException(ErrorCode.MAINTENANCE, "maintenance gate " + gate.name()
                + " is closed by " + holder + " and " + why + "; the statement did not run: " + what);
        return new SQLTransientException(cause.getMessage(), "57P03", cause);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connection(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return connection(delegate.getConnection(username, password));
    }

    private Connection connection(Connection real) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result = invoke(real, method, args);
            if (result instanceof CallableStatement statement) {
                return statement(statement, CallableStatement.class, proxy, sqlOf(args));
            }
            if (result instanceof PreparedStatement statement) {
                return statement(statement, PreparedStatement.class, proxy, sqlOf(args));
            }
            if (result instanceof Statement statement) {
                return statement(statement, Statement.class, proxy, null);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, handler);
    }

    private static String sqlOf(Object[] args) {
        return args != null && args.length > 0 && args[0] instanceof String sql ? sql : null;
    }

    private <T extends Statement> T statement(T real, Class<T> type, Object connection, String prepared) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
                return connection;
            }
            if (!method.getName().startsWith("execute")) {
                return invoke(real, method, args);
            }
            String sql = prepared != null ? prepared : sqlOf(args);
            enter(sql == null ? "a batch" : sql.length() > 120 ? sql.substring(0, 120) + "..." : sql);
            try {
                return invoke(real, method, args);
            } finally {
                exit();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, handler));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Stops polling; statements waiting at that moment keep waiting until their timeout. */
    @Override
    public void close() {
        poller.shutdownNow();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
