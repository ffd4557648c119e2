package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * A process that runs the backfill of a phased retype and prints {@code chunk <n>} after each chunk,
 * pausing between chunks, until the test kills it with SIGKILL: for the retype test of
 * {@link ClickHouseEvolutionIT}. Arguments: JDBC URL, table, column, rows per chunk.
 */
public final class BackfillMain {
    private BackfillMain() {
    }

    public static void main(String[] args) {
        DataSource dataSource = UrlDataSource.of(args[0], "default", "");
        ChunkRunner runner = ChunkRunner.builder(dataSource, new ClickHouseDialect()).parallelism(1)
                .pauseBetweenChunks(Duration.ofMillis(50))
                .listener(progress -> {
                    System.out.println("chunk " + progress.chunksDone());
                    System.out.flush();
                })
                .build();
        SchemaEvolution.connect(dataSource).backfill(null, args[1], args[2],
                ClickHouseChunks.keyRanges(args[1], "id", Long.parseLong(args[3])), runner);
        System.exit(0);
    }
}
