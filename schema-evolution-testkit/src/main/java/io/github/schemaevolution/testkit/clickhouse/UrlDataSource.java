package io.github.schemaevolution.testkit.clickhouse;

import io.github.schemaevolution.api.DriverDataSource;

import javax.sql.DataSource;

/** Data sources over a JDBC URL for the testkit and tests' child JVMs: {@link DriverDataSource}. */
public final class UrlDataSource {
    private UrlDataSource() {
    }

    /** Connections to {@code jdbcUrl} as {@code user}. */
    public static DataSource of(String jdbcUrl, String user, String password) {
        return DriverDataSource.of(jdbcUrl, user, password);
    }
}
