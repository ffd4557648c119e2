package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.contract.ChunkedContract;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

@ClickHouseTest
class ClickHouseChunkedIT extends ChunkedContract {
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
    protected ChildJvm startChunkedProcess(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(endpoint.jdbcUrl()));
        all.addAll(List.of(args));
        return ChildJvm.start(ChunkedMain.class, all.toArray(String[]::new));
    }
}
