package io.github.schemaevolution.testkit.clickhouse;

import org.testcontainers.clickhouse.ClickHouseContainer;

/**
 * Testcontainers' ClickHouse, for machines with Docker. Loaded only when asked for, so the
 * optional Testcontainers dependency is needed only then.
 */
final class TestcontainersClickHouse implements AutoCloseable {
    static final String IMAGE = "clickhouse/clickhouse-server:25.8";

    private final ClickHouseContainer container;

    private TestcontainersClickHouse(ClickHouseContainer container) {
        this.container = container;
    }

    static TestcontainersClickHouse start() {
        ClickHouseContainer container = new ClickHouseContainer(System.getProperty("schemaevolution.clickhouse.image", IMAGE));
        container.start();
        return new TestcontainersClickHouse(container);
    }

    String httpUrl() {
        return "http://" + container.getHost() + ":" + container.getMappedPort(8123);
    }

    String user() {
        return container.getUsername();
    }

    String password() {
        return container.getPassword();
    }

    @Override
    public void close() {
        container.stop();
    }
}
