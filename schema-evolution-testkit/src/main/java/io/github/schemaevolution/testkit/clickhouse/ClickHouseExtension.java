package io.github.schemaevolution.testkit.clickhouse;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands tests a ClickHouse: parameters of type {@link ClickHouseEndpoint} or {@link DataSource}.
 * One server is shared by the whole test run ({@link ClickHouseServer} says which); every test
 * method (or test class, for parameters of constructors and {@code @BeforeAll} methods) gets a
 * database of its own, which its connections use by default and which is dropped afterwards.
 *
 * <p>A test that cannot get a ClickHouse fails with a message listing the ways to provide one; it is
 * never skipped. The server is stored in the root context's store, which closes it (an
 * {@link AutoCloseable}) when the test run ends.
 *
 * <pre>{@code
 * @ClickHouseTest
 * class MeasurementsIT {
 *     @Test
 *     void storesMeasurements(ClickHouseEndpoint clickhouse) throws SQLException {
 *         try (Connection connection = clickhouse.dataSource().getConnection()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class ClickHouseExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClickHouseExtension.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        // in a class with both engines a bare DataSource is the PostgreSQL extension's to refuse, clearly
        return type == ClickHouseEndpoint.class
                || (type == DataSource.class && !io.github.schemaevolution.testkit.postgres.BothEngines.in(context));
    }

    /**
     * @throws ParameterResolutionException when there is no ClickHouse, so that the test fails (it is
     *                                      never skipped) with a message listing the ways to provide one
     */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ClickHouseEndpoint endpoint;
        try {
            endpoint = endpoint(context);
        } catch (ParameterResolutionException e) {
            throw e;
        } catch (RuntimeException e) {
            // the store wraps what the factory threw; the test report should show the reason itself
            Throwable reason = e instanceof IllegalStateException || e.getCause() == null ? e : e.getCause();
            throw new ParameterResolutionException(reason.getMessage(), reason);
        }
        return parameter.getParameter().getType() == DataSource.class ? endpoint.dataSource() : endpoint;
    }

    /** A dead embedded engine fails the test that killed it, with the reason, rather than the next one. */
    @Override
    public void afterEach(ExtensionContext context) {
        TestDatabase database;
        try {
            database = context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
        } catch (RuntimeException failedBefore) {
            return; // the store rethrows the failure that resolving the parameter reported already
        }
        if (database != null && database.server.embedded() != null) {
            database.server.embedded().checkAlive();
        }
    }

    private static ClickHouseEndpoint endpoint(ExtensionContext context) {
        ClickHouseServer server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(ClickHouseServer.class, type -> ClickHouseServer.start(), ClickHouseServer.class);
        TestDatabase database = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(TestDatabase.class, type -> TestDatabase.create(server, context), TestDatabase.class);
        return database.endpoint;
    }

    /** A database dropped when the test (or class) that owns it ends. */
    private static final class TestDatabase implements AutoCloseable {
        private final ClickHouseServer server;
        private final ClickHouseEndpoint endpoint;

        private TestDatabase(ClickHouseServer server, ClickHouseEndpoint endpoint) {
            this.server = server;
            this.endpoint = endpoint;
        }

        static TestDatabase create(ClickHouseServer server, ExtensionContext context) {
            String owner = context.getTestMethod().map(m -> m.getName()).orElse(context.getRequiredTestClass().getSimpleName());
            String name = ("t" + DATABASES.incrementAndGet() + "_" + owner.replaceAll("[^A-Za-z0-9]", "_"))
                    .toLowerCase(Locale.ROOT);
            name = name.substring(0, Math.min(name.length(), 60));
            try {
                server.query("CREATE DATABASE `" + name + "`");
            } catch (IOException e) {
                throw new ParameterResolutionException("cannot create database " + name + ": " + e.getMessage()
                        + "\n" + ChdbLibrary.HOW_TO_PROVIDE, e);
            }
            String jdbcUrl = "jdbc:clickhouse:" + server.httpUrl + "/" + name;
            return new TestDatabase(server, new ClickHouseEndpoint(server.httpUrl, jdbcUrl, server.user, server.password,
                    name, UrlDataSource.of(jdbcUrl, server.user, server.password)));
        }

        @Override
        public void close() throws IOException {
            EmbeddedClickHouse embedded = server.embedded();
            if (embedded == null || embedded.isAlive()) {
                server.query("DROP DATABASE IF EXISTS `" + endpoint.database() + "` SYNC");
            }
        }
    }
}
