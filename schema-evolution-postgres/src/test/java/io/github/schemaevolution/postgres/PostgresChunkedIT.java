package io.github.schemaevolution.postgres;

import io.github.schemaevolution.testkit.contract.ChunkedContract;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

@PostgresTest
class PostgresChunkedIT extends ChunkedContract {
    private PostgresEndpoint endpoint;

    @BeforeEach
    void endpoint(PostgresEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected DataSource dataSource() {
        return endpoint.dataSource();
    }

    @Override
    protected ChildJvm startChunkedProcess(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(endpoint.jdbcUrl(), endpoint.user(), endpoint.password()));
        all.addAll(List.of(args));
        return ChildJvm.start(ChunkedMain.class, all.toArray(String[]::new));
    }
}
