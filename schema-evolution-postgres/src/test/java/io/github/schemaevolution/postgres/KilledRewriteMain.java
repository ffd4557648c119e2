package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

/**
 * A process that rewrites {@link PostgresTableRewriteIT}'s table as run {@code killed}, printing
 * {@code chunk <n>} after each chunk of the copy and pausing between chunks, for the test to kill it
 * with SIGKILL mid-copy. Arguments: JDBC URL, user, password.
 */
public final class KilledRewriteMain {
    private KilledRewriteMain() {
    }

    public static void main(String[] args) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        ChunkRunner runner = ChunkRunner.builder(dataSource, new PostgresDialect()).parallelism(1)
                .pauseBetweenChunks(Duration.ofMillis(20))
                .listener(progress -> {
                    System.out.println("chunk " + progress.chunksDone());
                    System.out.flush();
                })
                .build();
        PostgresTableRewriteIT.rewrite().run(dataSource, runner, "killed");
        System.exit(0);
    }
}
