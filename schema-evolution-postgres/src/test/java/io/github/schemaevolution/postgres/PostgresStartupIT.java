package io.github.schemaevolution.postgres;

import io.github.schemaevolution.testkit.contract.StartupContract;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.io.IOException;

/** Instances deployed together, as separate JVMs, starting up at once on PostgreSQL. */
@PostgresTest
class PostgresStartupIT extends StartupContract {
    private PostgresEndpoint endpoint;

    @BeforeEach
    void connect(PostgresEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected DataSource dataSource() {
        return endpoint.dataSource();
    }

    @Override
    protected ChildJvm startInstance(boolean columns) throws IOException {
        return ChildJvm.start(EnsureMain.class, endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), columns ? "columns" : "ensure");
    }
}
