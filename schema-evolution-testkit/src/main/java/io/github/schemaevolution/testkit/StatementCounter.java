package io.github.schemaevolution.testkit;

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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A {@link DataSource} that counts what passes through it: the connections it opens and the
 * statements sent on them, each {@code execute...} call of a statement (a batch counts once, as it
 * is one round trip) and each {@code commit}, {@code rollback} or savepoint call of a connection.
 * For tests and benchmarks that hold a piece of code to a budget of round trips:
 *
 * <pre>{@code
 * StatementCounter counter = StatementCounter.wrap(dataSource);
 * SchemaEvolution.connect(counter).apply(migration);
 * assertThat(counter.statements()).as(counter.log().toString()).isLessThanOrEqualTo(8);
 * }</pre>
 *
 * Thread-safe; the log keeps the text of every counted statement in order.
 */
public final class StatementCounter implements DataSource {
    private static final Set<String> CONNECTION_ROUND_TRIPS = Set.of("commit", "rollback", "setSavepoint", "releaseSavepoint");

    private final DataSource delegate;
    private final List<String> log = new ArrayList<>();
    private int connections;

    private StatementCounter(DataSource delegate) {
        this.delegate = delegate;
    }

    public static StatementCounter wrap(DataSource dataSource) {
        return new StatementCounter(dataSource);
    }

    /** The statements (and commits, rollbacks, savepoints) sent since the last {@link #reset()}. */
    public synchronized int statements() {
        return log.size();
    }

    /** The connections opened since the last {@link #reset()}. */
    public synchronized int connections() {
        return connections;
    }

    /** What was counted, in order: each statement's SQL, or the connection call's name. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    public synchronized void reset() {
        log.clear();
        connections = 0;
    }

    private synchronized void count(String what) {
        log.add(what);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return counted(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return counted(delegate.getConnection(user, password));
    }

    private Connection counted(Connection connection) {
        synchronized (this) {
            connections++;
        }
        return proxy(Connection.class, connection, (method, args) -> {
            Object result = method.invoke(connection, args);
            String name = method.getName();
            if (CONNECTION_ROUND_TRIPS.contains(name)) {
                count(name + (args == null || args.length == 0 ? "" : " (savepoint)"));
            } else if (result instanceof CallableStatement call) {
                return statement(CallableStatement.class, call, (String) args[0]);
            } else if (result instanceof PreparedStatement prepared) {
                return statement(PreparedStatement.class, prepared, (String) args[0]);
            } else if (result instanceof Statement statement) {
                return statement(Statement.class, statement, null);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S statement, String prepared) {
        return proxy(type, statement, (method, args) -> {
            if (method.getName().startsWith("execute")) {
                count(prepared != null ? prepared : args != null && args.length > 0 && args[0] instanceof String sql ? sql
                        : method.getName());
            }
            return method.invoke(statement, args);
        });
    }

    private interface Call {
        Object invoke(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
                return method.invoke(target, args);
            }
            try {
                return call.invoke(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
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
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
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
