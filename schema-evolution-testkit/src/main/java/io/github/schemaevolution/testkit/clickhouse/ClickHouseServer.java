package io.github.schemaevolution.testkit.clickhouse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The ClickHouse a test run shares: an external server named by {@code SCHEMA_EVOLUTION_CLICKHOUSE_URL}
 * (or {@code -Dschemaevolution.clickhouse.url}), Testcontainers' ClickHouse when
 * {@code -Dschemaevolution.clickhouse=testcontainers}, and otherwise an {@link EmbeddedClickHouse}.
 */
final class ClickHouseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseServer.class);
    static final String URL_VARIABLE = "SCHEMA_EVOLUTION_CLICKHOUSE_URL";
    static final String URL_PROPERTY = "schemaevolution.clickhouse.url";
    static final String MODE_PROPERTY = "schemaevolution.clickhouse";

    final String httpUrl;
    final String user;
    final String password;
    private final AutoCloseable owned;

    private ClickHouseServer(String httpUrl, String user, String password, AutoCloseable owned) {
        this.httpUrl = httpUrl;
        this.user = user;
        this.password = password;
        this.owned = owned;
    }

    static ClickHouseServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            url = System.getProperty(URL_PROPERTY);
        }
        try {
            if (url != null && !url.isBlank()) {
                ClickHouseServer external = new ClickHouseServer(url.replaceAll("/+$", ""),
                        env("SCHEMA_EVOLUTION_CLICKHOUSE_USER", "default"), env("SCHEMA_EVOLUTION_CLICKHOUSE_PASSWORD", ""), null);
                LOG.info("using the ClickHouse server at {} ({})", external.httpUrl,
                        external.query("SELECT version()").strip());
                return external;
            }
            if ("testcontainers".equals(System.getProperty(MODE_PROPERTY))) {
                TestcontainersClickHouse container = TestcontainersClickHouse.start();
                return new ClickHouseServer(container.httpUrl(), container.user(), container.password(), container);
            }
            EmbeddedClickHouse embedded = EmbeddedClickHouse.start();
            return new ClickHouseServer(embedded.httpEndpoint(), "default", "", embedded);
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("no ClickHouse for the tests: " + e.getMessage() + "\n" + ChdbLibrary.HOW_TO_PROVIDE, e);
        }
    }

    String query(String sql) throws IOException {
        return ClickHouseHttp.query(httpUrl, user, password, sql);
    }

    /** The embedded instance, if this server is one (for liveness checks). */
    EmbeddedClickHouse embedded() {
        return owned instanceof EmbeddedClickHouse embedded ? embedded : null;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    @Override
    public void close() throws Exception {
        if (owned != null) {
            owned.close();
        }
    }
}
