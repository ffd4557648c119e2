package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * An application instance starting up: waits for a line on its standard input (so that the test
 * releases all instances at once), calls {@code ensure} with the fastpath model and prints the
 * version it got, or the refusal. Argument: JDBC URL.
 */
public final class EnsureMain {
    private EnsureMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        DataSource dataSource = UrlDataSource.of(url, "default", "");
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        try {
            SchemaVersion version = SchemaEvolution.connect(dataSource, new ClickHouseDialect()).ensure(Fastpath.model());
            System.out.println("version " + version.version() + " " + version.encode().hashCode());
            System.exit(0);
        } catch (SchemaEvolutionException e) {
            System.out.println("refused " + e.getMessage());
            System.exit(1);
        }
    }
}
