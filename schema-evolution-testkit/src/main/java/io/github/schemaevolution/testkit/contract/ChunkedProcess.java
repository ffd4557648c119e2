package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.evolution.ChunkedTable;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A migration of {@link ChunkedContract}'s chunked table in a child JVM, run by a dialect module's main
 * class. Arguments after the data source's: {@code <logical table> <chunks before it says "past">}. Prints
 * {@code past <n>} once that many chunk tables are done, pausing between chunks so that the test can kill
 * it with SIGKILL mid-run, and {@code done <outcome>} at the end.
 */
public final class ChunkedProcess {
    private ChunkedProcess() {
    }

    public static void run(DataSource dataSource, String[] args) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        long past = Long.parseLong(args[1]);
        AtomicBoolean said = new AtomicBoolean();
        ChunkRunner runner = ChunkRunner.builder(dataSource, evolution.dialect()).parallelism(2)
                .pauseBetweenChunks(Duration.ofMillis(5))
                .listener(progress -> {
                    if (progress.chunksDone() >= past && said.compareAndSet(false, true)) {
                        System.out.println("past " + past);
                        System.out.flush();
                    }
                })
                .build();
        ChunkedTable.Result result = ChunkedTable.byPrefix(evolution, args[0]).withRunner(runner)
                .apply(ChunkedContract.addMagnitude(args[0]));
        System.out.println("done " + result.outcome());
        System.exit(0);
    }
}
