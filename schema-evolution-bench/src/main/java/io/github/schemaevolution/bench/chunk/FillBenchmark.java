package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.Dialects;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.bench.Engines;
import io.github.schemaevolution.clickhouse.ClickHouseChunks;
import io.github.schemaevolution.postgres.PostgresChunks;
import io.github.schemaevolution.postgres.PostgresTableRewrite;
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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Filling a Float64 column of {@code rows} rows with {@code x * 2 + 1}, against the engine's own
 * ways of writing that column, in the same run:
 * <ul>
 *   <li>{@code writeOnce} (a baseline): the cheapest way to write the column once with the rest of the
 *       table, a copy of the table with the computed column ({@code CREATE TABLE AS SELECT} on PostgreSQL,
 *       {@code INSERT ... SELECT} on ClickHouse);</li>
 *   <li>{@code columnFloor} (a baseline): the computed column alone written once, into a one-column
 *       MergeTree (ClickHouse) or table (PostgreSQL): what no fill of the column can beat;</li>
 *   <li>{@code writeOnceWithKey} (a baseline): {@code writeOnce} and what the copy needs to serve, its
 *       primary key (PostgreSQL; ClickHouse's insert already sorts by the key);</li>
 *   <li>{@code singleStatement} (a baseline): one {@code UPDATE} (PostgreSQL) or one synchronous mutation (ClickHouse);</li>
 *   <li>{@code runner}: the chunked runner filling in place, with checkpoints, by key ranges of 50,000 rows
 *       two at a time (PostgreSQL), or by partition (ClickHouse: lightweight updates, which the table allows);</li>
 *   <li>{@code runnerByBlocks} (PostgreSQL): the same by ranges of 2,000 heap blocks, in physical order,
 *       two at a time;</li>
 *   <li>{@code runnerSettled} (ClickHouse): {@code runner} and the work it leaves: its patch parts applied
 *       to the parts ({@code ALTER TABLE ... APPLY PATCHES}, synchronously);</li>
 *   <li>{@code rewrite}: the chunked runner rewriting each chunk once: on ClickHouse a copy of each of the 16
 *       partitions swapped in with {@code REPLACE PARTITION}; on PostgreSQL the same rows as 16 chunk tables
 *       with primary keys, each rewritten by {@code ALTER COLUMN ... TYPE ... USING}, two at a time;</li>
 *   <li>{@code rewriteTable} (PostgreSQL): the single table rewritten into a copy with the column computed
 *       and swapped in, the former table dropped ({@code PostgresTableRewrite});</li>
 *   <li>{@code scan}: one full scan computing the expression ({@code SELECT sum(x * 2 + 1)}), for scale.</li>
 * </ul>
 * Every invocation starts from fresh copies of the tables with the column empty (not timed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
public class FillBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1000000"})
    public int rows;

    /** PostgreSQL chunk tables holding the same rows, for {@link #rewrite}; ClickHouse has as many partitions. */
    private static final int CHUNK_TABLES = 16;

    private Engines.Running running;
    private int run;

    @Setup(Level.Trial)
    public void start() throws SQLException {
        running = Engines.start(engine);
        if (postgres()) {
            running.execute("CREATE TABLE source AS SELECT g::bigint AS id, g / 10.0 AS x FROM generate_series(1, " + rows + ") g");
        } else {
            running.execute("CREATE TABLE source (id UInt64, day Date, x Float64) ENGINE = MergeTree ORDER BY id");
            running.execute("INSERT INTO source SELECT number, toDate('2026-01-01') + number % 16 * 31, number / 10 FROM numbers(" + rows + ")");
        }
    }

    @Setup(Level.Invocation)
    public void freshTable() throws SQLException {
        running.execute("DROP TABLE IF EXISTS fill");
        running.execute("DROP TABLE IF EXISTS fill_copy");
        if (postgres()) {
            running.execute("DROP TABLE IF EXISTS fill_se_old");
            running.execute("CREATE TABLE fill AS SELECT id, x, NULL::double precision AS y FROM source");
            running.execute("ALTER TABLE fill ADD PRIMARY KEY (id)");
            running.execute("VACUUM ANALYZE fill");
            long each = rows / CHUNK_TABLES;
            for (int chunk = 0; chunk < CHUNK_TABLES; chunk++) {
                running.execute("DROP TABLE IF EXISTS fillc_" + chunk);
                running.execute("CREATE TABLE fillc_" + chunk + " AS SELECT id, x, NULL::double precision AS y FROM source"
                        + " WHERE id > " + chunk * each + " AND id <= " + (chunk + 1) * each);
                running.execute("ALTER TABLE fillc_" + chunk + " ADD PRIMARY KEY (id)");
                running.execute("VACUUM ANALYZE fillc_" + chunk);
            }
        } else {
            // with the block number and offset columns, so that the runner can use lightweight updates
            running.execute("CREATE TABLE fill (id UInt64, day Date, x Float64, y Nullable(Float64)) ENGINE = MergeTree"
                    + " PARTITION BY toYYYYMM(day) ORDER BY id SETTINGS enable_block_number_column = 1, enable_block_offset_column = 1");
            running.execute("INSERT INTO fill (id, day, x) SELECT id, day, x FROM source");
            running.execute("OPTIMIZE TABLE fill FINAL");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Benchmark
    @Baseline
    public String columnFloor() throws SQLException {
        return execute("CREATE TABLE fill_copy AS SELECT x * 2 + 1 AS y FROM fill",
                "CREATE TABLE fill_copy ENGINE = MergeTree ORDER BY tuple() AS SELECT x * 2 + 1 AS y FROM fill");
    }

    @Benchmark
    @Baseline
    public String writeOnce() throws SQLException {
        return execute("CREATE TABLE fill_copy AS SELECT id, x, x * 2 + 1 AS y FROM fill",
                "CREATE TABLE fill_copy ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY id AS SELECT id, day, x, x * 2 + 1 AS y FROM fill");
    }

    /**
     * The write-once baseline plus what the table needs before it can serve: on PostgreSQL the primary
     * key, which {@code CREATE TABLE AS SELECT} leaves out and a rewrite keeps; on ClickHouse the same as
     * {@link #writeOnce}, whose insert already sorts by the key.
     */
    @Benchmark
    @Baseline
    public String writeOnceWithKey() throws SQLException {
        String sql = writeOnce();
        if (postgres()) {
            running.execute("ALTER TABLE fill_copy ADD PRIMARY KEY (id)");
        }
        return sql;
    }

    @Benchmark
    @Baseline
    public String singleStatement() throws SQLException {
        return execute("UPDATE fill SET y = x * 2 + 1", "ALTER TABLE fill UPDATE y = x * 2 + 1 WHERE 1 SETTINGS mutations_sync = 2");
    }

    /** Runs the statement of this trial's engine. */
    private String execute(String postgresql, String clickhouse) throws SQLException {
        String sql = postgres() ? postgresql : clickhouse;
        running.execute(sql);
        return sql;
    }

    @Benchmark
    public RunReport runner() {
        ChunkRunner runner = ChunkRunner.builder(running.dataSource(), Dialects.byName(engine))
                .parallelism(2).build();
        return completed(postgres()
                ? runner.run("fill-" + (++run), PostgresChunks.keyRanges("fill", "id", 50_000), PostgresChunks.fill("y", "x * 2 + 1", false))
                : runner.run("fill-" + (++run), ClickHouseChunks.partitions("fill"), ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(10))));
    }

    @Benchmark
    public RunReport runnerByBlocks() {
        if (!postgres()) {
            return null;
        }
        return completed(ChunkRunner.builder(running.dataSource(), Dialects.byName(engine)).parallelism(2).build()
                .run("blocks-" + (++run), PostgresChunks.blockRanges("fill", 2_000), PostgresChunks.fill("y", "x * 2 + 1", false)));
    }

    @Benchmark
    public RunReport runnerSettled() throws SQLException {
        if (postgres()) {
            return null;
        }
        RunReport report = runner();
        running.execute("ALTER TABLE fill APPLY PATCHES SETTINGS mutations_sync = 2");
        return report;
    }

    private static RunReport completed(RunReport report) {
        if (report.outcome() != RunReport.Outcome.COMPLETED) {
            throw new IllegalStateException("the run did not complete: " + report, report.failure());
        }
        return report;
    }

    @Benchmark
    public RunReport rewrite() {
        ChunkRunner runner = ChunkRunner.builder(running.dataSource(), Dialects.byName(engine))
                .parallelism(2).build();
        return completed(postgres()
                ? runner.run("rewrite-" + (++run), PostgresChunks.chunkTables("fillc"),
                        PostgresChunks.rewrite("y", "x * 2 + 1", Duration.ofSeconds(1)))
                : runner.run("rewrite-" + (++run), ClickHouseChunks.partitions("fill"), ClickHouseChunks.rewrite("fill", "y", "x * 2 + 1")));
    }

    /**
     * PostgreSQL: the single table rewritten into a copy with the column computed and swapped in
     * ({@link PostgresTableRewrite}): the copy by ranges of 2,000 heap blocks two at a time, the primary
     * key built on it, its statistics, the swap, and the former table dropped after.
     */
    @Benchmark
    public PostgresTableRewrite.Report rewriteTable() {
        if (!postgres()) {
            return null;
        }
        ChunkRunner runner = ChunkRunner.builder(running.dataSource(), Dialects.byName(engine)).parallelism(2).build();
        PostgresTableRewrite.Report report = PostgresTableRewrite.of("fill", "y", "x * 2 + 1")
                .run(running.dataSource(), runner, "table-" + (++run));
        if (!report.swapped() || !PostgresTableRewrite.dropReplaced(running.dataSource(), "fill")) {
            throw new IllegalStateException("the rewrite did not finish: " + report);
        }
        return report;
    }

    @Benchmark
    public double scan() throws SQLException {
        try (Connection connection = running.dataSource().getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT sum(x * 2 + 1) FROM fill")) {
            row.next();
            // a double: on ClickHouse the sum of 1e7 rows is a Float64 past what clickhouse-jdbc presents as a long
            return row.getDouble(1);
        }
    }

    private boolean postgres() {
        return engine.equals("postgresql");
    }
}
