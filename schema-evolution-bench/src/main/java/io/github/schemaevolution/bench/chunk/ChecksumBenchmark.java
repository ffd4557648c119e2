package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.Dialects;
import io.github.schemaevolution.api.chunk.Checksums;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The checksums of a table of {@code rows} rows and five columns (an id, a Float64, a nullable
 * Float64 half NULL, a string, a date), per key range of 100,000 ids, against a full scan of the same
 * table that reads every column ({@code count} and the maximum of each), on the same connection
 * handling. A fresh copy of the table for every invocation (not timed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
public class ChecksumBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1000000"})
    public int rows;

    private Engines.Running running;

    @Setup(Level.Trial)
    public void start() throws SQLException {
        running = Engines.start(engine);
        if (postgres()) {
            running.execute("CREATE TABLE source AS SELECT g::bigint AS id, g / 10.0::double precision AS x,"
                    + " CASE WHEN g % 2 = 0 THEN g * 1.5 END::double precision AS y, 'probe-' || (g % 1000) AS cc,"
                    + " DATE '2026-01-01' + (g % 365) AS day FROM generate_series(1, " + rows + ") g");
        } else {
            running.execute("CREATE TABLE source (id UInt64, x Float64, y Nullable(Float64), cc String, day Date)"
                    + " ENGINE = MergeTree ORDER BY id");
            running.execute("INSERT INTO source SELECT number, number / 10, if(number % 2 = 0, number * 1.5, NULL),"
                    + " concat('probe-', toString(number % 1000)), toDate('2026-01-01') + number % 365 FROM numbers(" + rows + ")");
        }
    }

    @Setup(Level.Invocation)
    public void freshTable() throws SQLException {
        running.execute("DROP TABLE IF EXISTS summed");
        running.execute(postgres() ? "CREATE TABLE summed AS SELECT * FROM source"
                : "CREATE TABLE summed ENGINE = MergeTree ORDER BY id AS SELECT * FROM source");
        if (postgres()) {
            running.execute("VACUUM ANALYZE summed");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Benchmark
    @Baseline
    public long fullScan() throws SQLException {
        try (Connection connection = running.dataSource().getConnection();
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT count(*), max(id), max(x), max(y), max(cc), max(day) FROM summed")) {
            row.next();
            return row.getLong(1);
        }
    }

    @Benchmark
    public Map<String, Checksums.ChunkChecksum> checksums() {
        return Checksums.of(running.dataSource(), Dialects.byName(engine), null, "summed", Checksums.Chunking.keyRanges("id", 100_000));
    }

    private boolean postgres() {
        return engine.equals("postgresql");
    }
}
