package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.chunk.ChunkRunner;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;

/**
 * A process that fills {@code readings.y} partition by partition and halts itself once it has
 * finished {@code args[2]} partitions: a worker killed mid-run, for {@link ClickHouseChunkRunnerIT}
 * and {@link ClickHousePartitionRewriteIT}. Arguments: JDBC URL, run id, partitions before dying, and
 * optionally {@code rewrite} to fill by rewriting partitions instead of updating them.
 */
public final class KilledClickHouseFillMain {
    private KilledClickHouseFillMain() {
    }

    public static void main(String[] args) {
        String url = args[0];
        DataSource dataSource = (DataSource) Proxy.newProxyInstance(KilledClickHouseFillMain.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, methodArgs) -> {
                    if (method.getName().equals("getConnection")) {
                        Properties properties = new Properties();
                        properties.setProperty("user", "default");
                        properties.setProperty("password", "");
                        return DriverManager.getConnection(url, properties);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        int dieAfter = Integer.parseInt(args[2]);
        ChunkRunner.builder(dataSource, new ClickHouseDialect()).parallelism(1)
                .listener(progress -> {
                    if (progress.chunksDone() >= dieAfter) {
                        Runtime.getRuntime().halt(3);
                    }
                })
                .build()
                .run(args[1], ClickHouseChunks.partitions("readings"), args.length > 3 && args[3].equals("rewrite")
                        ? ClickHouseChunks.rewrite("readings", "y", "x * 2 + 1")
                        : ClickHouseChunks.fill("y", "x * 2 + 1", Duration.ofMinutes(1)));
        System.exit(0);
    }
}
