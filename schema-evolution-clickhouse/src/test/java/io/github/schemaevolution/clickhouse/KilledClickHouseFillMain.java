package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * A process that fills {@code readings.y} chunk by chunk and halts itself once it has finished
 * {@code args[2]} chunks: a worker killed mid-run, for {@link ClickHouseChunkRunnerIT} and
 * {@link ClickHousePartitionRewriteIT}. Arguments: JDBC URL, run id, chunks before dying (or
 * {@code killed}: print {@code chunk <n>} after each chunk, pause between chunks, and wait to be
 * killed with SIGKILL by the test), and optionally {@code rewrite} to fill by rewriting partitions
 * instead of updating them, or {@code ranges} to update key ranges of 500 ids instead of partitions.
 */
public final class KilledClickHouseFillMain {
    private KilledClickHouseFillMain() {
    }

    public static void main(String[] args) {
        String url = args[0];
        DataSource dataSource = UrlDataSource.of(url, "default", "");
        boolean killedFromOutside = args[2].equals("killed");
        int dieAfter = killedFromOutside ? Integer.MAX_VALUE : Integer.parseInt(args[2]);
        String mode = args.length > 3 ? args[3] : "fill";
        ChunkRunner.builder(dataSource, new ClickHouseDialect()).parallelism(killedFromOutside ? 2 : 1)
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
                .run(args[1], mode.equals("ranges") ? ClickHouseChunks.keyRanges("readings", "id", 500)
                                : ClickHouseChunks.partitions("readings"), mode.equals("rewrite")
                        ? ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1")
                        : ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        System.exit(0);
    }
}
