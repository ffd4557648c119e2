package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.contract.ChunksContract;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;

@ClickHouseTest
class ClickHouseChunksIT extends ChunksContract {
    private DataSource dataSource;

    @BeforeEach
    void connect(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }
}
