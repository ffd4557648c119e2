package io.github.schemaevolution.bench.pool;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.bench.Engines;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;

/**
 * Dropping a column of a {@code rows}-row PostgreSQL table and clearing it, against clearing it with
 * one {@code UPDATE} (the baseline), each on a fresh table per invocation, the deferred work included:
 * <ul>
 *   <li>{@code update}: {@code ALTER COLUMN reading DROP NOT NULL}, then {@code UPDATE ... SET reading = NULL}
 *       in one statement and one transaction;</li>
 *   <li>{@code dropAndRetire}: the drop (views only), then the retirement of version 1, which clears the
 *       column a range of heap blocks at a time after its transaction commits.</li>
 * </ul>
 * While each runs, a reader under {@code lock_timeout = 500ms} reads the table and its latest view
 * in a loop; its worst wait for one read is printed after every invocation ("reader worst wait").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class DropBenchmark {
    @Param({"1000000"})
    public int rows;

    private Engines.Running running;
    private SchemaEvolution evolution;
    private int counter;
    private String table;
    private Thread reader;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong worstNanos = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    @Setup(Level.Trial)
    public void start() {
        running = Engines.start("postgresql");
        evolution = SchemaEvolution.connect(running.dataSource());
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Setup(Level.Invocation)
    public void freshTable() throws SQLException {
        table = "bench_drop_" + (++counter);
        evolution.create(Table.builder(table).column("id", INT64).column("payload", STRING).column("reading", FLOAT64)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 1).build())
                .postgres(PostgresOptions.primaryKey("id")).build());
        running.execute("INSERT INTO " + table + " (id, payload, reading) SELECT g, md5(g::text), g * 0.5"
                + " FROM generate_series(1, " + rows + ") g");
        running.execute("VACUUM ANALYZE " + table);
        stop.set(false);
        worstNanos.set(0);
        failures.set(0);
        reader = new Thread(this::read, "reader");
        reader.start();
    }

    @TearDown(Level.Invocation)
    public void report() throws Exception {
        stop.set(true);
        reader.join();
        System.out.printf("%n%s: reader worst wait %.1f ms, %d reads failed (lock_timeout 500 ms)%n", table,
                worstNanos.get() / 1e6, failures.get());
        running.execute("DROP TABLE " + table + " CASCADE");
    }

    private void read() {
        try (Connection connection = running.dataSource().getConnection()) {
            connection.createStatement().execute("SET lock_timeout = '500ms'");
            while (!stop.get()) {
                for (String relation : new String[]{table, table + "_latest"}) {
                    long begin = System.nanoTime();
                    try (ResultSet row = connection.createStatement().executeQuery("SELECT * FROM " + relation + " LIMIT 1")) {
                        row.next();
                    } catch (SQLException e) {
                        failures.incrementAndGet();
                    }
                    worstNanos.accumulateAndGet(System.nanoTime() - begin, Math::max);
                }
            }
        } catch (SQLException e) {
            failures.incrementAndGet();
        }
    }

    @Benchmark
    @Baseline
    public String update() throws SQLException {
        running.execute("ALTER TABLE " + table + " ALTER COLUMN reading DROP NOT NULL");
        String sql = "UPDATE " + table + " SET reading = NULL WHERE reading IS NOT NULL";
        running.execute(sql);
        return sql;
    }

    @Benchmark
    public ApplyResult dropAndRetire() {
        evolution.apply(Migration.builder("drop-reading", table).drop("reading").build());
        return evolution.retire(null, table, 1);
    }
}
