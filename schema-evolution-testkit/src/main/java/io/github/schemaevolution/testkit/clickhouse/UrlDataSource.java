package io.github.schemaevolution.testkit.clickhouse;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A data source over {@link DriverManager}, so that the testkit needs no compile-time dependency on
 * a JDBC driver: whichever ClickHouse driver the test class path holds serves the URL. Public for
 * programs that get a JDBC URL rather than a data source, such as a test's child JVM ({@link #of}).
 */
public final class UrlDataSource implements DataSource {
    private final String url;
    private final String user;
    private final String password;
    private volatile int loginTimeout;

    /** Connections to {@code jdbcUrl} as {@code user}. */
    public static DataSource of(String jdbcUrl, String user, String password) {
        return new UrlDataSource(jdbcUrl, user, password);
    }

    UrlDataSource(String url, String user, String password) {
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
        properties.setProperty("user", username);
        properties.setProperty("password", pass == null ? "" : pass);
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
