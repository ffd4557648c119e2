package io.github.schemaevolution.postgres;

import io.github.schemaevolution.testkit.contract.EvolutionContract;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;

/** The reserve-pool and versioned-view contract on a real PostgreSQL. */
@PostgresTest
class PostgresEvolutionIT extends EvolutionContract {
    private DataSource dataSource;

    @BeforeEach
    void connect(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    /** The measurement table as a PostgreSQL user would have written it by hand. */
    @Override
    protected String userTableDdl(String table) {
        return "CREATE TABLE " + table + " (id bigint PRIMARY KEY, note text)";
    }

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
}
