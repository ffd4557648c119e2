package io.github.schemaevolution.bench.copies;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.copies.CopyState;
import io.github.schemaevolution.api.copies.TableCopies;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.api.Dialects;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * The swap of two copies of {@code rows} rows each ({@link TableCopies#swap}: every logical view
 * pointed at the other copy, under the logical table's migration lock, the state recorded), against
 * the engine's own swap of two tables of the same size on the same data source: {@code EXCHANGE TABLES}
 * on ClickHouse, three renames in one transaction on PostgreSQL. Both are metadata-only, so each
 * invocation swaps the same tables the other way; the sampled times give the percentiles (the goal is a
 * p95 of at most 100 ms, whatever the size).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
public class SwapBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1000", "10000000"})
    public int rows;

    private Engines.Running running;
    private TableCopies copies;

    @Setup(Level.Trial)
    public void start() throws SQLException {
        running = Engines.start(engine);
        SchemaEvolution evolution = SchemaEvolution.connect(running.dataSource(), Dialects.byName(engine));
        for (String table : new String[] {"catalog_a", "catalog_b"}) {
            evolution.create(model(table));
            running.execute(running.fillSql(table, rows));
        }
        for (String table : new String[] {"plain_a", "plain_b"}) {
            running.execute(postgres() ? "CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text)"
                    : "CREATE TABLE " + table + " (id Int64, payload String) ENGINE = MergeTree ORDER BY id");
            running.execute(running.fillSql(table, rows));
        }
        copies = TableCopies.of(evolution);
        copies.declare(null, "catalog", "catalog_a", "catalog_b");
    }

    private static Table model(String name) {
        return Table.builder(name).column("id", ColumnType.INT64).column("payload", ColumnType.STRING)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 4).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Benchmark
    @Baseline
    public void engineSwap() throws SQLException {
        try (Connection connection = running.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            if (postgres()) {
                connection.setAutoCommit(false);
                statement.execute("ALTER TABLE plain_a RENAME TO plain_swap");
                statement.execute("ALTER TABLE plain_b RENAME TO plain_a");
                statement.execute("ALTER TABLE plain_swap RENAME TO plain_b");
                connection.commit();
            } else {
                statement.execute("EXCHANGE TABLES plain_a AND plain_b");
            }
        }
    }

    @Benchmark
    public CopyState swap() {
        return copies.swap(null, "catalog");
    }

    private boolean postgres() {
        return engine.equals("postgresql");
    }
}
