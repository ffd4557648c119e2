package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.testkit.contract.EvolutionContract;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reserve-pool and versioned-view contract on a real PostgreSQL. */
@PostgresTest
class PostgresEvolutionIT extends EvolutionContract {
    private DataSource dataSource;
    private io.github.schemaevolution.testkit.postgres.PostgresEndpoint endpoint;

    @BeforeEach
    void connect(DataSource dataSource, io.github.schemaevolution.testkit.postgres.PostgresEndpoint endpoint) {
        this.dataSource = dataSource;
        this.endpoint = endpoint;
    }

    @Override
    protected io.github.schemaevolution.testkit.process.ChildJvm startBackfill(String table, String column) throws java.io.IOException {
        return io.github.schemaevolution.testkit.process.ChildJvm.start(BackfillMain.class, endpoint.jdbcUrl(), endpoint.user(),
                endpoint.password(), table, column, Long.toString(BACKFILL_CHUNK));
    }

    @Override
    protected io.github.schemaevolution.api.chunk.ChunkSource keyRanges(String table, long rowsPerChunk) {
        return PostgresChunks.keyRanges(table, "id", rowsPerChunk);
    }

    /** The lock and history read, the catalog, the locks and statements at once, the check after, the history write, the commit. */
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
        return "CREATE TABLE " + table + " (id bigint PRIMARY KEY, note text)";
    }

    /** The measurement table as a PostgreSQL user would have written it by hand. */
    @Override
    protected String foreignFastpathDdl(String table) {
        return "CREATE TABLE " + table + " ("
                + "measurement_uid text PRIMARY KEY, report_id text NOT NULL, input text, probe_cc text NOT NULL,"
                + " probe_asn integer NOT NULL, test_name text NOT NULL, test_start_time timestamp(0) NOT NULL,"
                + " measurement_start_time timestamp(0) NOT NULL, filename text, scores text, platform text,"
                + " anomaly text, confirmed text, msm_failure text, domain text, software_name text,"
                + " software_version text, control_failure text, blocking_general real, is_ssl_expected smallint,"
                + " page_len integer, page_len_ratio real, server_cc text, server_asn smallint, server_as_name text,"
                + " update_time timestamp(3) DEFAULT now(), test_version text, architecture text, engine_name text,"
                + " engine_version text, test_runtime real, blocking_type text, test_helper_address text,"
                + " test_helper_type text)";
    }

    /** On PostgreSQL a freed column is renamed to a spare name: a writer still on a retired version fails, it never writes a free spare. */
    @Test
    void aWriterStillOnARetiredVersionFailsLoudly() throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        SchemaVersion v1 = evolution.create(model("p_retired"));
        evolution.apply(Migration.builder("drop-name", "p_retired").drop("name").build());
        evolution.retire(null, "p_retired", 1);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(v1.writer().insertSql(new PostgresDialect()))) {
            insert.setLong(1, 1);
            insert.setString(2, "n");
            insert.setFloat(3, 0.5f);
            insert.setString(4, "C");
            assertThatThrownBy(insert::executeUpdate).isInstanceOf(SQLException.class).hasMessageContaining("\"name\"");
        }
        assertThat(evolution.pool(null, "p_retired").free(io.github.schemaevolution.api.model.ColumnType.STRING.orNullable())).isEqualTo(2);
    }
}
