package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.INT32;
import static io.github.schemaevolution.api.model.ColumnType.nullable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances deployed together, as separate JVMs, starting up at once. A dialect module runs it by
 * extending this class in an {@code *IT} whose child JVMs run {@link StartupInstance}.
 */
public abstract class StartupContract {
    private static final int INSTANCES = 8;

    /** The database the instances use. */
    protected abstract DataSource dataSource();

    /** Starts one instance: the module's main class calling {@link StartupInstance#run} with {@code columns}. */
    protected abstract ChildJvm startInstance(boolean columns) throws IOException;

    @Test
    void eightInstancesStartingAtOnceOnAnEmptyDatabaseAllGetTheSameVersion() throws Exception {
        List<String> versions = startAll(false);
        assertThat(versions).allSatisfy(line -> assertThat(line).startsWith("version 1 "));
        assertThat(SchemaEvolution.connect(dataSource()).history(null, Fastpath.NAME)).hasSize(1);
    }

    /** The columns every instance adds at start-up, one of them made by hand already, with its type. */
    @Test
    void eightInstancesAddingTheirStartUpColumnsAtOnceRecordThemOnceAndTheHandMadeOneAsItIs() throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource());
        evolution.ensure(Fastpath.model());
        int physical;
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + evolution.dialect().identifiers().qualified(null, Fastpath.NAME) + " ADD COLUMN "
                    + "resolver_asn " + evolution.dialect().typeSql(nullable(INT32)));
            physical = evolution.dialect().introspector().physicalColumns(connection, null, Fastpath.NAME).size();
        }
        List<String> versions = startAll(true);
        assertThat(versions).allSatisfy(line -> assertThat(line).startsWith("version 2 "));
        assertThat(evolution.history(null, Fastpath.NAME)).hasSize(2);
        SchemaVersion current = evolution.currentVersion(null, Fastpath.NAME).orElseThrow();
        assertThat(current.physicalName("resolver_asn")).isEqualTo("resolver_asn");
        assertThat(evolution.verify(null, Fastpath.NAME).isEmpty()).isTrue();
        try (Connection connection = dataSource().getConnection()) {
            assertThat(evolution.dialect().introspector().physicalColumns(connection, null, Fastpath.NAME))
                    .as("ingest_host took a spare, resolver_asn was there").hasSize(physical);
        }
    }

    /** Starts every instance, releases them at once, and returns the line each printed last. */
    private List<String> startAll(boolean columns) throws Exception {
        List<ChildJvm> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(startInstance(columns));
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
        assertThat(versions.stream().distinct()).as("every instance got the same version").hasSize(1);
        return versions;
    }
}
