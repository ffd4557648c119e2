package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import io.github.schemaevolution.testkit.contract.GateProcess;

import java.util.Arrays;

/** {@link GateProcess} in a child JVM of {@link ClickHouseGateIT}. Arguments: JDBC URL, then the process's. */
public final class GateMain {
    private GateMain() {
    }

    public static void main(String[] args) throws Exception {
        GateProcess.run(UrlDataSource.of(args[0], "default", ""), Arrays.copyOfRange(args, 1, args.length));
    }
}
