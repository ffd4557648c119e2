package io.github.schemaevolution.testkit.postgres;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** One test class on both engines: endpoint parameters for each; a bare DataSource is refused with what to take instead. */
@PostgresTest
@ClickHouseTest
class BothEnginesIT {

    @Test
    void aTestTakesBothEndpoints(PostgresEndpoint postgres, ClickHouseEndpoint clickHouse) throws SQLException {
        assertThat(select(postgres.dataSource(), "SELECT current_setting('server_version_num')")).isNotBlank();
        assertThat(select(clickHouse.dataSource(), "SELECT version()")).isNotBlank();
    }

    @Test
    void aBareDataSourceIsRefusedWithWhatToTakeInstead() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(TakesABareDataSource.class)).execute().testEvents();
        assertThat(tests.failed().count()).isEqualTo(1);
        Throwable failure = tests.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).hasMessageContaining(BothEngines.MESSAGE).hasMessageNotContaining("competing");
    }

    @Test
    void aProgramOutsideJUnitStartsItsOwnServer() throws Exception {
        try (PostgresServer server = PostgresServer.start()) {
            PostgresEndpoint endpoint = server.newSchema("a demo");
            assertThat(endpoint.schema()).startsWith("t_a_demo_");
            assertThat(select(endpoint.dataSource(), "SELECT current_schema()")).isEqualTo(endpoint.schema());
            server.dropSchema(endpoint.schema());
        }
    }

    private static String select(javax.sql.DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    /** Run only through the engine test kit above (a nested class, which Failsafe leaves out). */
    @PostgresTest
    @ClickHouseTest
    static class TakesABareDataSource {
        @Test
        void usesADataSource(javax.sql.DataSource dataSource) {
            assertThat(dataSource).isNotNull();
        }
    }
}
