package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import io.github.schemaevolution.testkit.contract.ChunkedProcess;

import java.util.Arrays;

/** {@link ChunkedProcess} in a child JVM of {@link ClickHouseChunkedIT}. Arguments: JDBC URL, then the process's. */
public final class ChunkedMain {
    private ChunkedMain() {
    }

    public static void main(String[] args) {
        ChunkedProcess.run(UrlDataSource.of(args[0], "default", ""), Arrays.copyOfRange(args, 1, args.length));
    }
}
