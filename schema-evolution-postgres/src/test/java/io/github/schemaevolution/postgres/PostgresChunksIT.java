package io.github.schemaevolution.postgres;

import io.github.schemaevolution.testkit.contract.ChunksContract;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;

@PostgresTest
class PostgresChunksIT extends ChunksContract {
    private DataSource dataSource;

    @BeforeEach
    void endpoint(PostgresEndpoint endpoint) {
        this.dataSource = endpoint.dataSource();
    }

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }
}
