package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.postgres.PostgresDialect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The runner's own cost over 10,000 chunks on a stub database, against a plain loop doing the same
 * per-chunk work: {@code work} CPU tokens per chunk stand for writing a chunk (1,000 rows cost a
 * few milliseconds on a real engine; 0 tokens shows the bare per-chunk cost). One chunk at a time,
 * so that only overhead differs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
public class RunnerOverheadBenchmark {
    private static final int CHUNKS = 10_000;

    /** CPU tokens per chunk: 0 for the bare cost, 1,000,000 (about 2-3 ms here) for a 1,000-row chunk of real writing. */
    @Param({"0", "1000000"})
    public long work;

    @Benchmark
    @Baseline
    public long plainLoop() throws SQLException {
        ChunkOperation operation = operation();
        long rows = 0;
        Iterator<Chunk> chunks = StubDatabase.keyRanges(CHUNKS, 1_000).chunks(null).iterator();
        while (chunks.hasNext()) {
            rows += operation.apply(null, chunks.next());
        }
        return rows;
    }

    @Benchmark
    public RunReport runner() {
        return ChunkRunner.builder(StubDatabase.dataSource(), new PostgresDialect()).parallelism(1)
                .checkpoints(StubDatabase.forgetfulCheckpoints()).build()
                .run("overhead", StubDatabase.keyRanges(CHUNKS, 1_000), operation());
    }

    private ChunkOperation operation() {
        long tokens = work;
        return (connection, chunk) -> {
            Blackhole.consumeCPU(tokens);
            return chunk.estimatedRows();
        };
    }
}
