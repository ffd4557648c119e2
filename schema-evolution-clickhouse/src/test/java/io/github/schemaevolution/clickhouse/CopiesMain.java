package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import io.github.schemaevolution.testkit.contract.CopiesProcess;

import java.util.Arrays;

/** {@link CopiesProcess} in a child JVM of {@link ClickHouseCopiesIT}. Arguments: JDBC URL, then the process's. */
public final class CopiesMain {
    private CopiesMain() {
    }

    public static void main(String[] args) {
        CopiesProcess.run(UrlDataSource.of(args[0], "default", ""), Arrays.copyOfRange(args, 1, args.length));
    }
}
