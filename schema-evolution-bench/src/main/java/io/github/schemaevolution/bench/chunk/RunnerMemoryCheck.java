package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.postgres.PostgresDialect;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Runs the runner over 100,000 stub chunks (or {@code args[0]}) and prints the peak heap used.
 * Run it with {@code -Xmx64m}: finishing at all shows the run fits in 64 MB of heap, because chunk
 * lists and checkpoints are streamed rather than held.
 */
public final class RunnerMemoryCheck {
    private RunnerMemoryCheck() {
    }

    public static void main(String[] args) {
        long chunks = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        RunReport report = ChunkRunner.builder(StubDatabase.dataSource(), new PostgresDialect()).parallelism(2)
                .checkpoints(StubDatabase.forgetfulCheckpoints()).build()
                .run("memory", StubDatabase.keyRanges(chunks, 1_000), (connection, chunk) -> chunk.estimatedRows());
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf("%s: %d chunks done in %d ms, peak heap used %.1f MB (max heap %d MB)%n", report.outcome(),
                report.chunksDone(), report.elapsed().toMillis(), peak / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576);
    }
}
