package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.testkit.contract.CopiesProcess;

import java.util.Arrays;

/** {@link CopiesProcess} in a child JVM of {@link PostgresCopiesIT}. Arguments: JDBC URL, user, password, then the process's. */
public final class CopiesMain {
    private CopiesMain() {
    }

    public static void main(String[] args) {
        CopiesProcess.run(DriverDataSource.of(args[0], args[1], args[2]), Arrays.copyOfRange(args, 3, args.length));
    }
}
