package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.testkit.fixtures.Fastpath;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import static io.github.schemaevolution.api.model.ColumnType.INT32;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.nullable;

/**
 * An application instance starting up, run by the main class of a dialect module's tests in a child
 * JVM of {@link StartupContract}: waits for a line on its standard input (so that the test releases
 * every instance at once), calls {@code ensure} with the fastpath model, then, with {@code columns},
 * applies {@link #STARTUP_COLUMNS}, and prints {@code version <n> <hash of the version>} or the refusal.
 */
public final class StartupInstance {
    /** The columns an ingestion service adds at every start, the seed's {@code ADD COLUMN IF NOT EXISTS} habit. */
    public static final Migration STARTUP_COLUMNS = Migration.builder("2026-12-01-startup-columns", Fastpath.NAME)
            .addOrNative("ingest_host", nullable(STRING)).addOrNative("resolver_asn", nullable(INT32)).build();

    private StartupInstance() {
    }

    /** Runs the instance and exits the JVM: 0 with the version, 1 with a refusal. */
    public static void run(DataSource dataSource, boolean columns) throws IOException {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        try {
            SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
            SchemaVersion version = evolution.ensure(Fastpath.model());
            if (columns) {
                version = evolution.apply(STARTUP_COLUMNS).version();
            }
            System.out.println("version " + version.version() + " " + version.encode().hashCode());
            System.exit(0);
        } catch (SchemaEvolutionException e) {
            System.out.println("refused " + e.getMessage());
            System.exit(1);
        }
    }
}
