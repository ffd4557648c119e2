package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

/**
 * A process that runs a non-idempotent fill ({@link ChunkRunnerIT#INCREMENT}) over key ranges: what
 * a crashed or killed worker leaves behind, for {@link ChunkRunnerIT}. Arguments: JDBC URL, user,
 * password, run id, and either the chunks after which it halts itself ({@link Runtime#halt}), or
 * {@code killed} to print {@code chunk <n>} after each chunk and wait, pausing between chunks, for
 * the test to kill it with SIGKILL wherever it is.
 */
public final class KilledFillMain {
    private KilledFillMain() {
    }

    public static void main(String[] args) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        boolean killedFromOutside = args[4].equals("killed");
        int dieAfter = killedFromOutside ? Integer.MAX_VALUE : Integer.parseInt(args[4]);
        ChunkRunner.builder(dataSource, new PostgresDialect()).parallelism(2)
                .pauseBetweenChunks(killedFromOutside ? Duration.ofMillis(20) : Duration.ZERO)
                .listener(progress -> {
                    if (killedFromOutside) {
                        System.out.println("chunk " + progress.chunksDone());
                        System.out.flush();
                    }
                    if (progress.chunksDone() >= dieAfter) {
                        Runtime.getRuntime().halt(3);
                    }
                })
                .build()
                .run(args[3], ChunkRunnerIT.ranges(), ChunkRunnerIT.INCREMENT);
        System.exit(0);
    }
}
