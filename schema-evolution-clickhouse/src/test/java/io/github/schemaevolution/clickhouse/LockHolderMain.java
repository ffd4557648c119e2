package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

/**
 * An instance holding a table's migration lock, for {@link ClickHouseLockIT}: waits for a line on its
 * standard input, takes the lock (waiting at most {@code args[2]} ms, lease {@code args[3]} ms), prints
 * {@code locked}, and holds it until the next line; in mode {@code started} it first records
 * {@link ClickHouseLockIT#MIGRATION} as STARTED and runs its first statement, as an applier killed
 * half-way leaves it. A lock not obtained prints its error code. Arguments: JDBC URL, table, wait, lease, mode.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        DataSource dataSource = UrlDataSource.of(args[0], "default", "");
        String table = args[1];
        BufferedReader input = new BufferedReader(new InputStreamReader(System.in));
        input.readLine();
        ClickHouseDialect dialect = new ClickHouseDialect();
        HistoryStore history = dialect.history(EvolutionSettings.DEFAULT.historyTable());
        Plan plan = args[4].equals("started")
                ? SchemaEvolution.connect(dataSource, dialect).plan(ClickHouseLockIT.MIGRATION) : null;
        try (Connection connection = dataSource.getConnection();
             HistoryStore.Lock lock = history.lock(connection, null, table, "holder-" + ProcessHandle.current().pid(),
                     Duration.ofMillis(Long.parseLong(args[2])), Duration.ofMillis(Long.parseLong(args[3])), dataSource)) {
            if (plan != null) {
                history.record(connection, null, new HistoryEntry(table, plan.to().version(), plan.migration().id(),
                        plan.migration().describe(), plan.migration().checksum(), HistoryEntry.Status.STARTED, Instant.now(),
                        null, "holder", plan.to()));
                connection.createStatement().execute(plan.statements().get(0).sql());
            }
            System.out.println("locked");
            System.out.flush();
            input.readLine();
        } catch (SchemaEvolutionException e) {
            System.out.println(e.code());
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }
}
