package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster dialect on one embedded node: a session whose settings would let an ON CLUSTER statement
 * end before every node ran it, or wait for ever, is refused before anything is created, and one with the
 * cluster's connection properties gets past that check to the engine. The embedded engine runs no distributed
 * DDL, so the statements themselves run in {@link ClickHouseRealClusterIT}, on a cluster given by the
 * environment.
 */
@ClickHouseTest
class ClickHouseClusterIT {
    private final ClickHouseCluster cluster = new ClickHouseCluster("ooni", Duration.ofSeconds(30));
    private ClickHouseEndpoint endpoint;
    private DataSource dataSource;

    @BeforeEach
    void connect(ClickHouseEndpoint endpoint, DataSource dataSource) {
        this.endpoint = endpoint;
        this.dataSource = dataSource;
    }

    private static Table model() {
        return Table.builder("fastpath").column("measurement_uid", ColumnType.STRING)
                .clickHouse(ClickHouseOptions.builder().orderBy("measurement_uid").replicated().build()).build();
    }

    private long tables() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count() FROM system.tables WHERE database = currentDatabase()")) {
            row.next();
            return row.getLong(1);
        }
    }

    private DataSource with(String settings) {
        return UrlDataSource.of(endpoint.jdbcUrl() + "?" + settings, endpoint.user(), endpoint.password());
    }

    @Test
    void aSessionThatWouldLetAClusterStatementEndBeforeEveryNodeRanItIsRefusedBeforeAnythingIsCreated() throws SQLException {
        for (String settings : List.of("clickhouse_setting_distributed_ddl_output_mode=none",
                "clickhouse_setting_distributed_ddl_task_timeout=0", "clickhouse_setting_distributed_ddl_task_timeout=-1")) {
            SchemaEvolution evolution = SchemaEvolution.connect(with(settings), ClickHouseDialect.onCluster(cluster));
            assertThatThrownBy(() -> evolution.create(model())).as(settings).isInstanceOf(SchemaEvolutionException.class)
                    .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.FEATURE_UNSUPPORTED))
                    .hasMessageContaining("distributed_ddl_output_mode = 'throw'")
                    .hasMessageContaining("clickhouse_setting_distributed_ddl_output_mode=throw");
        }
        assertThat(tables()).as("no table, history or lock was created").isZero();
        assertThat(cluster.dialectFor(dataSource).cluster()).as("an Atomic database takes ON CLUSTER").contains(cluster);
    }

    @Test
    void withTheSettingsAsConnectionPropertiesTheStatementsReachTheEngineOnTheCluster() throws SQLException {
        String properties = cluster.connectionProperties().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        DataSource withSettings = with(properties);
        try (Connection connection = withSettings.getConnection()) {
            cluster.requireSettings(connection);
        }
        SchemaEvolution evolution = SchemaEvolution.connect(withSettings, ClickHouseDialect.onCluster(cluster));
        // the embedded engine has no cluster: it refuses the first ON CLUSTER statement, the lock's, naming it
        assertThatThrownBy(() -> evolution.create(model())).isInstanceOf(SchemaEvolutionException.class)
                .hasMessageContaining("'ooni'").hasMessageNotContaining("clickhouse_setting_");
        assertThat(tables()).isZero();
    }
}
