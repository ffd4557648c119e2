package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.contract.EvolutionContract;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;

/** The reserve-pool and versioned-view contract on a real ClickHouse. */
@ClickHouseTest
class ClickHouseEvolutionIT extends EvolutionContract {
    private DataSource dataSource;
    private io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint endpoint;

    @BeforeEach
    void connect(DataSource dataSource, io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint endpoint) {
        this.dataSource = dataSource;
        this.endpoint = endpoint;
    }

    @Override
    protected io.github.schemaevolution.testkit.process.ChildJvm startBackfill(String table, String column) throws java.io.IOException {
        return io.github.schemaevolution.testkit.process.ChildJvm.start(BackfillMain.class, endpoint.jdbcUrl(), table, column,
                Long.toString(BACKFILL_CHUNK));
    }

    @Override
    protected io.github.schemaevolution.api.chunk.ChunkSource keyRanges(String table, long rowsPerChunk) {
        return ClickHouseChunks.keyRanges(table, "id", rowsPerChunk);
    }

    /** The lock, history read, the catalog, one statement per view (two), the mapping and history writes, the release. */
    @Override
    protected int poolAddStatementBudget() {
        return 8;
    }

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected String userTableDdl(String table) {
        return "CREATE TABLE " + table + " (id Int64, note String) ENGINE = MergeTree ORDER BY id";
    }

    /** The measurement table exactly as the platform's documentation gives it (database prefix left out). */
    @Override
    protected String foreignFastpathDdl(String table) {
        return """
                CREATE TABLE %s
                (
                    `measurement_uid` String,
                    `report_id` String,
                    `input` String,
                    `probe_cc` LowCardinality(String),
                    `probe_asn` Int32,
                    `test_name` LowCardinality(String),
                    `test_start_time` DateTime,
                    `measurement_start_time` DateTime,
                    `filename` String,
                    `scores` String,
                    `platform` String,
                    `anomaly` String,
                    `confirmed` String,
                    `msm_failure` String,
                    `domain` String,
                    `software_name` String,
                    `software_version` String,
                    `control_failure` String,
                    `blocking_general` Float32,
                    `is_ssl_expected` Int8,
                    `page_len` Int32,
                    `page_len_ratio` Float32,
                    `server_cc` String,
                    `server_asn` Int8,
                    `server_as_name` String,
                    `update_time` DateTime64(3) MATERIALIZED now64(),
                    `test_version` String,
                    `architecture` String,
                    `engine_name` LowCardinality(String),
                    `engine_version` String,
                    `test_runtime` Float32,
                    `blocking_type` String,
                    `test_helper_address` LowCardinality(String),
                    `test_helper_type` LowCardinality(String),
                    INDEX fastpath_rid_idx report_id TYPE minmax GRANULARITY 1,
                    INDEX measurement_uid_idx measurement_uid TYPE minmax GRANULARITY 8
                )
                ENGINE = ReplacingMergeTree(update_time)
                ORDER BY (measurement_start_time, report_id, input, measurement_uid)
                SETTINGS index_granularity = 8192""".formatted(table);
    }
}
