package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import io.github.schemaevolution.testkit.contract.StartupInstance;

/** A ClickHouse instance of {@link ClickHouseStartupIT}. Arguments: JDBC URL, {@code columns} or {@code ensure}. */
public final class EnsureMain {
    private EnsureMain() {
    }

    public static void main(String[] args) throws Exception {
        StartupInstance.run(UrlDataSource.of(args[0], "default", ""), args[1].equals("columns"));
    }
}
