package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.PrintStream;

/**
 * The main example: the measurement table {@code fastpath}, with a reserve pool of spare columns,
 * created, filled and read back on embedded PostgreSQL and embedded ClickHouse.
 *
 * <p>Run it with {@code mvn -q -pl examples exec:exec} after {@code mvn -q install -DskipTests};
 * the first argument is the number of rows (default 5000).
 */
public final class FastpathExample {
    private FastpathExample() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        PrintStream out = System.out;
        Table model = Fastpath.model();

        long start = System.nanoTime();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            out.printf("embedded PostgreSQL started in %.0f ms%n", (System.nanoTime() - start) / 1e6);
            new FastpathScenario("PostgreSQL", postgres.getPostgresDatabase(), out).run(model, rows);
        }

        start = System.nanoTime();
        try (EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start()) {
            out.printf("%nembedded ClickHouse %s started in %.0f ms (the first run fetches the engine once)%n",
                    clickhouse.version(), (System.nanoTime() - start) / 1e6);
            new FastpathScenario("ClickHouse", clickhouse.dataSource(), out).run(model, rows);
        }
    }
}
