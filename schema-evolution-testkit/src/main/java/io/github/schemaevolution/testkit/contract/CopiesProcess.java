package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.copies.TableCopies;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * A catch-up of {@link CopiesContract} in a child JVM, run by a dialect module's main class.
 * Arguments after the data source's: {@code <logical> <run id> <key column> <rows per chunk>}. Prints
 * {@code chunk <n>} after each chunk, pausing between chunks so that the test can kill it with SIGKILL
 * mid-run, and {@code done <outcome>} at the end.
 */
public final class CopiesProcess {
    private CopiesProcess() {
    }

    public static void run(DataSource dataSource, String[] args) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        ChunkRunner runner = ChunkRunner.builder(dataSource, evolution.dialect()).parallelism(1)
                .pauseBetweenChunks(Duration.ofMillis(50))
                .listener(progress -> {
                    System.out.println("chunk " + progress.chunksDone());
                    System.out.flush();
                })
                .build();
        RunReport report = TableCopies.of(evolution).catchUp(null, args[0], args[1], args[2], Long.parseLong(args[3]), runner);
        System.out.println("done " + report.outcome());
        System.exit(0);
    }
}
