package org.example.fastpath;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The consumer's own test, on both embedded engines: builds of versions 1 and 2 running side by side. */
@PostgresTest
@ClickHouseTest
class RollingDeployIT {

    @Test
    void onPostgres(PostgresEndpoint postgres) {
        rollingDeploy(postgres.dataSource());
    }

    @Test
    void onClickHouse(ClickHouseEndpoint clickHouse) {
        rollingDeploy(clickHouse.dataSource());
    }

    private static void rollingDeploy(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        Measurements.startUp(evolution, 1);
        Writer oldWriter = new Writer(dataSource, 1);
        oldWriter.write("m1", "IT", 1.5f, null);

        // the new build starts: version 2; the old build keeps running
        Measurements.startUp(evolution, 2);
        Writer newWriter = new Writer(dataSource, 2);
        newWriter.write("m2", "IT", 2.5f, 12.0);
        newWriter.write("m3", "DE", 3.5f, 20.0);
        oldWriter.write("m4", "IT", 4.5f, null);

        assertThat(new Reader(dataSource, 1).perCountry()).isEqualTo(Map.of("DE", 1, "IT", 3));
        Reader newReader = new Reader(dataSource, 2);
        assertThat(newReader.perCountry()).isEqualTo(Map.of("DE", 1, "IT", 3));
        assertThat(newReader.meanDnsMs("IT")).isEqualTo(12.0);
    }
}
