package io.github.schemaevolution.api;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A data source over {@link DriverManager}, for programs that are given a JDBC URL rather than a
 * data source (the command line, a test's child JVM, a script): whichever driver the class path
 * holds serves the URL. It opens a new connection per {@link #getConnection()}; a service that has
 * a pool passes its pool's data source to {@link SchemaEvolution#connect} instead.
 */
public final class DriverDataSource implements DataSource {
    private final String url;
    private final String user;
    private final String password;
    private volatile int loginTimeout;

    /** Connections to {@code jdbcUrl} as {@code user}. */
    public static DataSource of(String jdbcUrl, String user, String password) {
        return new DriverDataSource(jdbcUrl, user, password);
    }

    private DriverDataSource(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(user, password);
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
        Properties properties = new Properties();
        if (username != null) {
            properties.setProperty("user", username);
        }
        if (pass != null) {
            properties.setProperty("password", pass);
        }
        return DriverManager.getConnection(url, properties);
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // logging goes through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("logging goes through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "DataSource[" + url + ", user " + user + "]";
    }
}
