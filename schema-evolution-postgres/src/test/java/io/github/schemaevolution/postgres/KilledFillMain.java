package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A process that runs a fill and kills itself, hard ({@link Runtime#halt}), once it has finished
 * {@code args[4]} chunks: what a crashed or killed worker leaves behind, for {@link ChunkRunnerIT}.
 * Arguments: JDBC URL, user, password, run id, chunks before dying.
 */
public final class KilledFillMain {
    private KilledFillMain() {
    }

    public static void main(String[] args) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        int dieAfter = Integer.parseInt(args[4]);
        ChunkRunner.builder(dataSource, new PostgresDialect()).parallelism(2)
                .listener(progress -> {
                    if (progress.chunksDone() >= dieAfter) {
                        Runtime.getRuntime().halt(3);
                    }
                })
                .build()
                .run(args[3], ChunkRunnerIT.ranges(), ChunkRunnerIT.INCREMENT);
        System.exit(0);
    }
}
