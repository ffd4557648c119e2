package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Instances deployed together, as separate JVMs, starting up at once on an empty database. */
@ClickHouseTest
class ClickHouseStartupIT {
    private static final int INSTANCES = 8;

    @Test
    void eightInstancesStartingAtOnceOnAnEmptyDatabaseAllGetTheSameVersion(ClickHouseEndpoint endpoint, javax.sql.DataSource dataSource) throws Exception {
        List<ChildJvm> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(ChildJvm.start(EnsureMain.class, endpoint.jdbcUrl()));
        }
        for (ChildJvm instance : instances) {
            instance.send("go");
        }
        List<String> versions = new ArrayList<>();
        for (ChildJvm instance : instances) {
            ChildJvm.Exit exit = instance.awaitExit(300);
            assertThat(exit.code()).as("an instance ended with " + exit.lines()).isZero();
            versions.add(exit.lines().get(exit.lines().size() - 1));
        }
        assertThat(versions).hasSize(INSTANCES).allSatisfy(line -> assertThat(line).startsWith("version 1 "));
        assertThat(versions.stream().distinct()).as("every instance got the same version").hasSize(1);
        assertThat(SchemaEvolution.connect(dataSource).history(null, Fastpath.NAME)).hasSize(1);
    }
}
