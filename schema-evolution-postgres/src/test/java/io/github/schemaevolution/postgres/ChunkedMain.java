package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.testkit.contract.ChunkedProcess;

import java.util.Arrays;

/** {@link ChunkedProcess} in a child JVM of {@link PostgresChunkedIT}. Arguments: JDBC URL, user, password, then the process's. */
public final class ChunkedMain {
    private ChunkedMain() {
    }

    public static void main(String[] args) {
        ChunkedProcess.run(DriverDataSource.of(args[0], args[1], args[2]), Arrays.copyOfRange(args, 3, args.length));
    }
}
