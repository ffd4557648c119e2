package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.bench.Engines;
import io.github.schemaevolution.postgres.PostgresChunks;
import io.github.schemaevolution.postgres.PostgresDialect;
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

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.nullable;

/**
 * The same DDL (a nullable {@code ADD COLUMN}) on 1,000 chunk tables through the runner, with
 * checkpoints, against that DDL on one table, on PostgreSQL: what a catalog of per-chunk tables
 * pays for each schema change.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class ChunkTableDdlBenchmark {
    @Param({"1000"})
    public int chunks;

    private Engines.Running running;
    private int column;

    @Setup(Level.Trial)
    public void createChunks() throws SQLException {
        running = Engines.start("postgresql");
        running.execute("CREATE TABLE single (id bigint PRIMARY KEY, ra double precision)");
        running.execute("DO $$ BEGIN FOR i IN 1.." + chunks + " LOOP"
                + " EXECUTE format('CREATE TABLE object_%s (id bigint PRIMARY KEY, ra double precision)', i); END LOOP; END $$");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Benchmark
    @Baseline
    public String oneTable() throws SQLException {
        String sql = "ALTER TABLE single ADD COLUMN IF NOT EXISTS c" + (++column) + " double precision";
        running.execute(sql);
        return sql;
    }

    @Benchmark
    public RunReport everyChunkTable() {
        RunReport report = ChunkRunner.builder(running.dataSource(), new PostgresDialect()).parallelism(2).build()
                .run("ddl-" + (++column), PostgresChunks.chunkTables("object"),
                        PostgresChunks.addColumn(Column.of("c" + column, nullable(FLOAT64))));
        if (report.outcome() != RunReport.Outcome.COMPLETED || report.chunksDone() != chunks) {
            throw new IllegalStateException("DDL did not reach every chunk: " + report, report.failure());
        }
        return report;
    }
}
