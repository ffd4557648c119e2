package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.contract.StartupContract;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.io.IOException;

/** Instances deployed together, as separate JVMs, starting up at once on ClickHouse. */
@ClickHouseTest
class ClickHouseStartupIT extends StartupContract {
    private ClickHouseEndpoint endpoint;
    private DataSource dataSource;

    @BeforeEach
    void connect(ClickHouseEndpoint endpoint, DataSource dataSource) {
        this.endpoint = endpoint;
        this.dataSource = dataSource;
    }

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected ChildJvm startInstance(boolean columns) throws IOException {
        return ChildJvm.start(EnsureMain.class, endpoint.jdbcUrl(), columns ? "columns" : "ensure");
    }
}
