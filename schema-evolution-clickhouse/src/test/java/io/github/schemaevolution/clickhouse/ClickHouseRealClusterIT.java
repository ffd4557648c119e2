package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.hosts.Host;
import io.github.schemaevolution.api.hosts.Hosts;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cluster path on a real ClickHouse cluster (with Keeper or ZooKeeper): a replicated table created
 * ON CLUSTER through the library, a pool add applied from another node, the history read on a third,
 * and every replica verified through {@code clusterAllReplicas} and node by node. The embedded engine
 * cannot form a cluster, so these tests run with {@code mvn verify -Pclickhouse-cluster} against the
 * nodes named by the environment, and fail, saying so, when it names none.
 */
class ClickHouseRealClusterIT {
    static final String CLUSTER = "SCHEMA_EVOLUTION_CLICKHOUSE_CLUSTER";
    static final String URLS = "SCHEMA_EVOLUTION_CLICKHOUSE_CLUSTER_URLS";

    private ClickHouseCluster cluster;
    private final List<Host> nodes = new ArrayList<>();

    @BeforeEach
    void nodes() {
        String name = System.getenv(CLUSTER);
        String urls = System.getenv(URLS);
        if (name == null || urls == null || urls.isBlank()) {
            fail("no ClickHouse cluster to test against: set " + CLUSTER + " to the cluster's name (as system.clusters lists"
                    + " it) and " + URLS + " to the JDBC URLs of at least two of its nodes, comma-separated, each with its"
                    + " database and credentials (jdbc:clickhouse:http://ch1:8123/default?user=default&password=), for a"
                    + " cluster whose nodes share a Keeper; then run mvn -B verify -Pclickhouse-cluster -pl"
                    + " schema-evolution-clickhouse");
        }
        cluster = new ClickHouseCluster(name, Duration.ofSeconds(60));
        String settings = cluster.connectionProperties().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        int n = 0;
        for (String url : urls.split(",")) {
            String trimmed = url.trim();
            nodes.add(new Host("node" + (++n), UrlDataSource.of(trimmed + (trimmed.contains("?") ? "&" : "?") + settings,
                    null, null)));
        }
        assertThat(nodes).as(URLS + " names at least two nodes").hasSizeGreaterThanOrEqualTo(2);
    }

    private SchemaEvolution on(int node) {
        DataSource dataSource = nodes.get(node).dataSource();
        return SchemaEvolution.connect(dataSource, cluster.dialectFor(dataSource));
    }

    private void syncReplicas(int node, String... tables) throws Exception {
        try (Connection connection = nodes.get(node).dataSource().getConnection(); Statement statement = connection.createStatement()) {
            for (String table : tables) {
                statement.execute("SYSTEM SYNC REPLICA " + table);
            }
        }
    }

    @Test
    void aReplicatedTableCreatedOnTheClusterIsChangedFromAnotherNodeAndEveryReplicaHasTheNewSchema() throws Exception {
        String table = "cluster_it_" + Long.toHexString(System.nanoTime());
        Table model = Table.builder(table).column("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").replicated().build()).build();
        try {
            on(0).create(model);
            ApplyResult added = on(1).apply(Migration.builder("add-score", table)
                    .add("score", ColumnType.nullable(ColumnType.FLOAT64)).add("probe", ColumnType.STRING).build());
            assertThat(added.version().version()).isEqualTo(2);
            int last = nodes.size() - 1;
            syncReplicas(last, "schema_evolution_history", table);
            assertThat(on(last).currentVersion(null, table).orElseThrow().version())
                    .as("the history replicates to every node").isEqualTo(2);
            assertThat(on(last).verify(null, table).isEmpty()).isTrue();
            SchemaReport replicas = cluster.replicaReport(nodes.get(0).dataSource(), table);
            assertThat(replicas.same()).as(replicas.toString()).isTrue();
            assertThat(replicas.tables()).isGreaterThanOrEqualTo(nodes.size());
            assertThat(Hosts.of(nodes).compare(null, table).schemas().same()).isTrue();
        } finally {
            try (Connection connection = nodes.get(0).dataSource().getConnection(); Statement statement = connection.createStatement()) {
                for (String drop : List.of(table + "_v1", table + "_v2", table + "_latest")) {
                    statement.execute("DROP VIEW IF EXISTS " + drop + cluster.clause() + " SYNC");
                }
                statement.execute("DROP TABLE IF EXISTS " + table + cluster.clause() + " SYNC");
            }
        }
    }
}
