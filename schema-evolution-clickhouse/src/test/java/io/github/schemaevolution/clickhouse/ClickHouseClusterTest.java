package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.Planner;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.ViewNaming;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DDL rendered for a cluster, Replicated engines in the model and back from the catalog, and the cluster's settings. */
class ClickHouseClusterTest {
    private final ClickHouseCluster cluster = new ClickHouseCluster("ooni", Duration.ofSeconds(60));
    private final ClickHouseDialect onCluster = ClickHouseDialect.onCluster(cluster);

    private static Table replicated(ClickHouseOptions.Replication how) {
        return Table.builder("fastpath").column("measurement_uid", ColumnType.STRING).column("ver", ColumnType.UINT32)
                .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.ReplacingMergeTree("ver"))
                        .orderBy("measurement_uid").replicated(how).build())
                .build();
    }

    @Test
    void everyStatementOfAMigrationRunsOnTheClusterAndNoneOnAPlainNode() {
        Table table = Fastpath.model();
        SchemaVersion v1 = SchemaVersion.initial(null, "fastpath", "_spare_", table.physicalColumns());
        Migration migration = Migration.builder("m1", "fastpath").add("ratio", ColumnType.nullable(ColumnType.FLOAT64))
                .addOrNative("probe_cc2", ColumnType.STRING).drop("software_name").build();
        Plan plan = new Planner(onCluster, ViewNaming.DEFAULT).plan(migration, v1, List.of(v1), table, Map.of());
        assertThat(plan.statements()).isNotEmpty().extracting(DdlStatement::sql)
                .allMatch(sql -> sql.matches("(?s)(ALTER TABLE|CREATE OR REPLACE VIEW|DROP VIEW IF EXISTS) `[a-z_0-9]+` ON CLUSTER `ooni`.*"));
        Plan plain = new Planner(new ClickHouseDialect(), ViewNaming.DEFAULT).plan(migration, v1, List.of(v1), table, Map.of());
        assertThat(plain.statements()).extracting(DdlStatement::sql).noneMatch(sql -> sql.contains("ON CLUSTER"));
        assertThat(plain.statements()).hasSameSizeAs(plan.statements());

        assertThat(onCluster.createTable(table)).extracting(DdlStatement::sql)
                .allMatch(sql -> sql.startsWith("CREATE TABLE `fastpath` ON CLUSTER `ooni`\n("));
        assertThat(onCluster.dropTable(null, "fastpath").sql()).isEqualTo("DROP TABLE IF EXISTS `fastpath` ON CLUSTER `ooni` SYNC");
        assertThat(onCluster.dropView("stats", "fastpath_v1").sql())
                .isEqualTo("DROP VIEW IF EXISTS `stats`.`fastpath_v1` ON CLUSTER `ooni`");
        assertThat(onCluster.addColumn(table, Column.of("x", ColumnType.INT32)).sql())
                .startsWith("ALTER TABLE `fastpath` ON CLUSTER `ooni` ADD COLUMN IF NOT EXISTS `x` Int32");
    }

    @Test
    void replicatedEnginesAreRenderedWithTheirPathOrTheServersDefaultsAndReadBackFromTheCatalog() {
        String explicit = onCluster.createTable(replicated(new ClickHouseOptions.Replication(
                "/clickhouse/tables/{shard}/{database}/{table}", "{replica}"))).get(0).sql();
        assertThat(explicit).contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}',"
                + " '{replica}', `ver`)\n");
        assertThat(new ClickHouseDialect().createTable(replicated(ClickHouseOptions.Replication.SERVER_DEFAULTS)).get(0).sql())
                .contains("ENGINE = ReplicatedReplacingMergeTree(`ver`)\n");
        assertThat(ClickHouseDialect.replicated("MergeTree", ClickHouseOptions.Replication.SERVER_DEFAULTS))
                .isEqualTo("ReplicatedMergeTree()");

        String engineFull = "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/ooni/fastpath', '{replica}', ver)"
                + " ORDER BY measurement_uid SETTINGS index_granularity = 8192";
        assertThat(ClickHouseCatalog.replication("ReplicatedReplacingMergeTree", engineFull))
                .isEqualTo(new ClickHouseOptions.Replication("/clickhouse/tables/{shard}/ooni/fastpath", "{replica}"));
        assertThat(ClickHouseCatalog.engine("fastpath", "ReplicatedReplacingMergeTree", engineFull))
                .isEqualTo(new ClickHouseOptions.ReplacingMergeTree("ver"));
        assertThat(ClickHouseCatalog.engine("t", "ReplicatedMergeTree", "ReplicatedMergeTree ORDER BY id"))
                .isEqualTo(new ClickHouseOptions.MergeTree());
        assertThat(ClickHouseCatalog.replication("ReplicatedMergeTree", "ReplicatedMergeTree ORDER BY id"))
                .isEqualTo(ClickHouseOptions.Replication.SERVER_DEFAULTS);
        assertThat(ClickHouseCatalog.replication("MergeTree", "MergeTree ORDER BY id")).isNull();
    }

    @Test
    void unsafeClusterNamesAndReplicationPathsAreRefused() {
        assertThatThrownBy(() -> new ClickHouseOptions.Replication("/clickhouse/tables/x', '', 'y", "{replica}"))
                .isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.EXPRESSION_UNSAFE));
        assertThatThrownBy(() -> new ClickHouseOptions.Replication("/clickhouse/tables/x", null))
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID));
        assertThatThrownBy(() -> ClickHouseCluster.named("ooni` SYNC; DROP TABLE x; --"))
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.IDENTIFIER_UNSAFE));
        assertThatThrownBy(() -> new ClickHouseCluster("ooni", Duration.ofMillis(10)))
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID));
    }

    @Test
    void theClustersSettingsAreConnectionPropertiesAndATimeoutOfAClusterStatementIsAFailureNotAWait() {
        assertThat(cluster.connectionProperties()).containsExactly(
                Map.entry("clickhouse_setting_distributed_ddl_output_mode", "throw"),
                Map.entry("clickhouse_setting_distributed_ddl_task_timeout", "60"));
        assertThat(cluster.dialectFor("Replicated").cluster()).as("a Replicated database replicates its own DDL").isEmpty();
        assertThat(cluster.dialectFor("Atomic").cluster()).contains(cluster);
        SQLException timeout = new SQLException("Code: 159. DB::Exception: Distributed DDL task /clickhouse/task_queue/ddl/"
                + "query-0000000042 is not finished on 1 of 3 hosts (0 of them are currently executing the task, 0 are"
                + " inactive). They are going to execute the query in background. Was waiting for 60.0 seconds, which is"
                + " longer than distributed_ddl_task_timeout. (TIMEOUT_EXCEEDED)");
        assertThat(onCluster.isTransient(timeout)).isFalse();
        assertThat(onCluster.isTransient(new SQLException("Code: 159. DB::Exception: Timeout exceeded: elapsed 5 seconds."
                + " (TIMEOUT_EXCEEDED)"))).as("any other timeout may pass on a retry").isTrue();
        assertThat(cluster.replicaColumnsQuery()).contains("clusterAllReplicas('ooni', system.columns)");
    }
}
