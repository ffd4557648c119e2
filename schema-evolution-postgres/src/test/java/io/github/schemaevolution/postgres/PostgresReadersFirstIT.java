package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers first: a reader that never waits more than 500 ms for a lock ({@code lock_timeout}) reads
 * the base table and every live view of a large table, and verifies another table, while that table
 * is migrated (an add, a rename, a drop, and a retirement that clears the dropped column's million
 * rows) and the other one too: no read fails.
 */
@PostgresTest
class PostgresReadersFirstIT {
    private static final int ROWS = 1_000_000;

    private static Table table(String name) {
        return Table.builder(name).column("id", INT64).column("name", STRING).column("reading", FLOAT64)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 2).build())
                .postgres(PostgresOptions.primaryKey("id")).build();
    }

    @Test
    void noReaderWaitsPastItsLockTimeoutWhileTablesAreMigrated(DataSource dataSource) throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("watched"));
        evolution.create(table("other"));
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("INSERT INTO watched (id, name, reading) SELECT g, 'n' || g, g * 0.5"
                    + " FROM generate_series(1, " + ROWS + ") g");
            connection.createStatement().execute("ANALYZE watched");
        }
        SchemaEvolution impatient = SchemaEvolution.connect(impatient(dataSource));
        Prober prober = new Prober(impatient(dataSource), impatient);
        // two readers, so that one is always inside a read while a migration takes its locks
        Prober second = new Prober(impatient(dataSource), impatient);
        Thread reader = new Thread(prober, "reader");
        Thread secondReader = new Thread(second, "second reader");
        reader.start();
        secondReader.start();
        try {
            step(prober, () -> evolution.apply(Migration.builder("add", "watched").add("speed", FLOAT64.orNullable()).build()));
            step(prober, () -> evolution.apply(Migration.builder("rename", "watched").rename("name", "label").build()));
            step(prober, () -> evolution.apply(Migration.builder("drop", "watched").drop("reading").build()));
            step(prober, () -> evolution.retire(null, "watched", 3));
            step(prober, () -> evolution.apply(Migration.builder("add-other", "other").add("speed", FLOAT64.orNullable()).build()));
            step(prober, () -> evolution.apply(Migration.builder("drop-other", "other").drop("speed").build()));
        } finally {
            prober.stop.set(true);
            second.stop.set(true);
            reader.join();
            secondReader.join();
        }
        assertThat(prober.failures).as("reads that failed").isEmpty();
        assertThat(second.failures).as("reads of the second reader that failed").isEmpty();
        assertThat(prober.reads.get()).isPositive();
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(*), count(label) FROM watched_v4")) {
            row.next();
            assertThat(row.getLong(1)).isEqualTo(ROWS);
            assertThat(row.getLong(2)).isEqualTo(ROWS);
        }
        assertThat(evolution.pool(null, "watched").free(FLOAT64.orNullable()))
                .as("the dropped column, cleared, came free as a spare beside the one left").isEqualTo(2);
        String spare = evolution.currentVersion(null, "watched").orElseThrow().slots().stream()
                .filter(slot -> slot.id().equals("reading")).findFirst().orElseThrow().physicalName();
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count(" + spare + ") FROM watched")) {
            row.next();
            assertThat(row.getLong(1)).as("every row of the freed column cleared, a block range at a time").isZero();
        }
    }

    /** Runs a migration, then waits until the reader has made two more passes, so that its reads overlap the step. */
    private static void step(Prober prober, Runnable migration) throws InterruptedException {
        long before = prober.passes.get();
        migration.run();
        synchronized (prober.passes) {
            while (prober.passes.get() < before + 2 && prober.failures.isEmpty()) {
                prober.passes.wait();
            }
        }
    }

    /** Connections of {@code dataSource} that wait at most 500 ms for any lock. */
    private static DataSource impatient(DataSource dataSource) {
        return (DataSource) Proxy.newProxyInstance(PostgresReadersFirstIT.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(dataSource, args);
                    if (method.getName().equals("getConnection")) {
                        ((Connection) result).createStatement().execute("SET lock_timeout = '500ms'");
                    }
                    return result;
                });
    }

    /** Reads the base table, every view of it, and verifies the other table, over and over. */
    private static final class Prober implements Runnable {
        private final DataSource dataSource;
        private final SchemaEvolution evolution;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong reads = new AtomicLong();
        private final AtomicLong passes = new AtomicLong();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        Prober(DataSource dataSource, SchemaEvolution evolution) {
            this.dataSource = dataSource;
            this.evolution = evolution;
        }

        @Override
        public void run() {
            try (Connection connection = dataSource.getConnection()) {
                while (!stop.get()) {
                    for (String relation : relations(connection)) {
                        try (ResultSet row = connection.createStatement().executeQuery("SELECT * FROM " + relation + " LIMIT 1")) {
                            row.next();
                            reads.incrementAndGet();
                        } catch (SQLException e) {
                            // a view dropped and made again between the listing and the read is not a wait
                            if (!"42P01".equals(e.getSQLState())) {
                                failures.add(relation + ": " + e.getMessage());
                            }
                        }
                    }
                    try {
                        evolution.verify(null, "other");
                    } catch (RuntimeException e) {
                        failures.add("verify other: " + e.getMessage());
                    }
                    synchronized (passes) {
                        passes.incrementAndGet();
                        passes.notifyAll();
                    }
                }
            } catch (SQLException e) {
                failures.add("reader connection: " + e.getMessage());
                synchronized (passes) {
                    passes.notifyAll();
                }
            }
        }

        private static List<String> relations(Connection connection) throws SQLException {
            List<String> names = new ArrayList<>(List.of("watched"));
            try (ResultSet row = connection.createStatement().executeQuery("SELECT viewname FROM pg_catalog.pg_views"
                    + " WHERE schemaname = current_schema() AND viewname LIKE 'watched%' ORDER BY viewname")) {
                while (row.next()) {
                    names.add(row.getString(1));
                }
            }
            return names;
        }
    }
}
