package io.github.schemaevolution.testkit.clickhouse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;

/**
 * The ClickHouse a test run shares, chosen by {@code -Dschemaevolution.clickhouse=embedded|testcontainers}
 * or, without it, by whether a server URL is configured:
 * <ul>
 *   <li>{@code schemaevolution.clickhouse.url} (property) or {@code SCHEMA_EVOLUTION_CLICKHOUSE_URL}
 *       (environment): that server, with {@code schemaevolution.clickhouse.user}/{@code .password} or
 *       {@code SCHEMA_EVOLUTION_CLICKHOUSE_USER}/{@code _PASSWORD} (default user, no password);</li>
 *   <li>{@code testcontainers}: Testcontainers' ClickHouse (needs Docker and the optional
 *       {@code org.testcontainers:clickhouse});</li>
 *   <li>otherwise, or with {@code embedded} even when a URL is set: an {@link EmbeddedClickHouse}.</li>
 * </ul>
 * Properties win over environment variables.
 */
final class ClickHouseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseServer.class);
    static final String MODE_PROPERTY = "schemaevolution.clickhouse";
    static final String URL_PROPERTY = "schemaevolution.clickhouse.url";
    static final String URL_VARIABLE = "SCHEMA_EVOLUTION_CLICKHOUSE_URL";

    final String httpUrl;
    final String user;
    final String password;
    private final EmbeddedClickHouse embedded;
    private final Runnable stop;

    private ClickHouseServer(String httpUrl, String user, String password, EmbeddedClickHouse embedded, Runnable stop) {
        this.httpUrl = httpUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
        this.stop = stop;
    }

    /**
     * Connects to or starts the configured ClickHouse.
     *
     * @throws IllegalStateException if there is none; the message says why and lists the ways to provide one
     */
    static ClickHouseServer start() {
        String mode = setting(MODE_PROPERTY, null, "").toLowerCase(Locale.ROOT);
        String url = setting(URL_PROPERTY, URL_VARIABLE, "");
        try {
            switch (mode) {
                case "embedded":
                    return startEmbedded();
                case "testcontainers":
                    TestcontainersClickHouse container = TestcontainersClickHouse.start();
                    return new ClickHouseServer(container.httpUrl(), container.user(), container.password(), null, container::close);
                case "":
                    return url.isBlank() ? startEmbedded() : connect(url);
                default:
                    throw new IllegalStateException("-D" + MODE_PROPERTY + "=" + mode + " is neither embedded nor testcontainers");
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("no ClickHouse for the tests: " + e.getMessage() + "\n" + ChdbLibrary.HOW_TO_PROVIDE, e);
        }
    }

    private static ClickHouseServer startEmbedded() {
        EmbeddedClickHouse embedded = EmbeddedClickHouse.start();
        return new ClickHouseServer(embedded.httpEndpoint(), "default", "", embedded, embedded::close);
    }

    private static ClickHouseServer connect(String url) throws IOException {
        ClickHouseServer external = new ClickHouseServer(url.replaceAll("/+$", ""),
                setting("schemaevolution.clickhouse.user", "SCHEMA_EVOLUTION_CLICKHOUSE_USER", "default"),
                setting("schemaevolution.clickhouse.password", "SCHEMA_EVOLUTION_CLICKHOUSE_PASSWORD", ""), null, () -> { });
        LOG.info("using the ClickHouse server at {} ({})", external.httpUrl, external.query("SELECT version()").strip());
        return external;
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if ((value == null || value.isBlank()) && variable != null) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    String query(String sql) throws IOException {
        return ClickHouseHttp.query(httpUrl, user, password, sql);
    }

    /** The embedded instance, if this server is one (for liveness checks). */
    EmbeddedClickHouse embedded() {
        return embedded;
    }

    /** Stops what this run started; an external server is left alone. */
    @Override
    public void close() {
        stop.run();
    }
}
