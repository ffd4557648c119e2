package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

/**
 * A process that runs the backfill of a phased retype and prints {@code chunk <n>} after each chunk,
 * pausing between chunks, until the test kills it with SIGKILL: for the retype test of
 * {@link PostgresEvolutionIT}. Arguments: JDBC URL, user, password, table, column, rows per chunk.
 */
public final class BackfillMain {
    private BackfillMain() {
    }

    public static void main(String[] args) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        ChunkRunner runner = ChunkRunner.builder(dataSource, new PostgresDialect()).parallelism(1)
                .pauseBetweenChunks(Duration.ofMillis(50))
                .listener(progress -> {
                    System.out.println("chunk " + progress.chunksDone());
                    System.out.flush();
                })
                .build();
        SchemaEvolution.connect(dataSource).backfill(null, args[3], args[4],
                PostgresChunks.keyRanges(args[3], "id", Long.parseLong(args[5])), runner);
        System.exit(0);
    }
}
