package io.github.schemaevolution.postgres;

import io.github.schemaevolution.testkit.contract.StartupInstance;
import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL instance of {@link PostgresStartupIT}. Arguments: JDBC URL, user, password, {@code columns} or {@code ensure}. */
public final class EnsureMain {
    private EnsureMain() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        dataSource.setPassword(args[2]);
        StartupInstance.run(dataSource, args[3].equals("columns"));
    }
}
