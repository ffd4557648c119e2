package io.github.schemaevolution.bench.chunked;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.ChunkedTable;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool add on a chunked table of {@code chunks} chunk tables ({@link ChunkedTable#apply}, at two
 * chunks at a time), against the same add on one table ({@link SchemaEvolution#apply}), through the
 * same data source. Fresh tables for every invocation, registered before it (not timed). After each
 * chunked invocation the peak heap of the run is printed, with the heap used once it is collected
 * (and the chunk tables are dropped, so that every invocation meets a catalog of the same size):
 * the run streams its chunks, so the heap should not grow with {@code chunks}. Divide the chunked
 * time by {@code chunks} for the time per chunk table against the one table's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class ChunkedBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1000", "10000"})
    public int chunks;

    private AutoCloseable running;
    private DataSource dataSource;
    private SchemaEvolution evolution;

    @Setup(Level.Trial)
    public void start() throws Exception {
        if (engine.equals("postgresql")) {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            running = postgres;
            dataSource = postgres.getPostgresDatabase();
        } else {
            EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
            running = clickhouse;
            dataSource = clickhouse.dataSource();
        }
        evolution = SchemaEvolution.connect(dataSource);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    static Table model(String name) {
        return Table.builder(name).column("id", ColumnType.INT64).column("ra", ColumnType.FLOAT64)
                .column("decl", ColumnType.FLOAT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    static Migration add(String table) {
        return Migration.builder("add-mag", table).add("mag", ColumnType.nullable(ColumnType.FLOAT64)).build();
    }

    /** A fresh table for the baseline, registered. */
    @State(Scope.Thread)
    public static class OneTable {
        private int invocation;
        String table;

        @Setup(Level.Invocation)
        public void create(ChunkedBenchmark bench) {
            table = "one_" + (++invocation);
            bench.evolution.create(model(table));
        }
    }

    /** Fresh chunk tables for the chunked add, made as a catalog's loader makes them and registered. */
    @State(Scope.Thread)
    public static class Chunked {
        private int invocation;
        private String prefix;
        ChunkedTable table;

        @Setup(Level.Invocation)
        public void create(ChunkedBenchmark bench) throws SQLException {
            prefix = "chunk" + (++invocation);
            List<String> statements = new ArrayList<>();
            for (int n = 1; n <= bench.chunks; n++) {
                bench.evolution.dialect().createTable(model(prefix + "_" + n)).forEach(ddl -> statements.add(ddl.sql()));
            }
            bench.execute(statements);
            table = ChunkedTable.byPrefix(bench.evolution, prefix)
                    .withRunner(ChunkRunner.builder(bench.dataSource, bench.evolution.dialect()).parallelism(2).build());
            table.register();
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        }

        /** Prints the run's heap, then drops its chunk tables and views, so that the next invocation finds a catalog of the same size. */
        @TearDown(Level.Invocation)
        public void heapThenDrop(ChunkedBenchmark bench) throws SQLException {
            long peak = heap(true);
            System.gc();
            System.out.printf("%n%s, %d chunk tables: peak heap used during the run %.1f MB, %.1f MB after a collection%n",
                    bench.engine, bench.chunks, peak / 1048576.0, heap(false) / 1048576.0);
            List<String> statements = new ArrayList<>();
            for (int n = 1; n <= bench.chunks; n++) {
                String chunk = prefix + "_" + n;
                for (String view : List.of(chunk + "_v1", chunk + "_v2", chunk + "_latest")) {
                    statements.add(bench.evolution.dialect().dropView(null, view).sql());
                }
                statements.add(bench.evolution.dialect().dropTable(null, chunk).sql());
            }
            bench.execute(statements);
        }

        private static long heap(boolean peak) {
            return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                    .mapToLong(pool -> (peak ? pool.getPeakUsage() : pool.getUsage()).getUsed()).sum();
        }
    }

    /** Runs the loader's or the cleaner's statements: on PostgreSQL a hundred per round trip, its time is not what is measured. */
    private void execute(List<String> statements) throws SQLException {
        boolean batched = engine.equals("postgresql");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < statements.size(); i += batched ? 100 : 1) {
                statement.execute(String.join(";\n", statements.subList(i, Math.min(statements.size(), i + (batched ? 100 : 1)))));
            }
        }
    }

    @Benchmark
    @Baseline
    public ApplyResult oneTable(OneTable fresh) {
        return evolution.apply(add(fresh.table));
    }

    @Benchmark
    public ChunkedTable.Result chunkedTable(Chunked fresh) {
        ChunkedTable.Result result = fresh.table.apply(add(fresh.table.logicalName()));
        if (result.outcome() != ChunkedTable.Result.Outcome.APPLIED) {
            throw new IllegalStateException("not applied to every chunk: " + result);
        }
        return result;
    }
}
