package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.testkit.contract.GateProcess;

import java.util.Arrays;

/** {@link GateProcess} in a child JVM of {@link PostgresGateIT}. Arguments: JDBC URL, user, password, then the process's. */
public final class GateMain {
    private GateMain() {
    }

    public static void main(String[] args) throws Exception {
        GateProcess.run(DriverDataSource.of(args[0], args[1], args[2]), Arrays.copyOfRange(args, 3, args.length));
    }
}
