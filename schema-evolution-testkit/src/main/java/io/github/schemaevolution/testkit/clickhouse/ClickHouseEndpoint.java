package io.github.schemaevolution.testkit.clickhouse;

import javax.sql.DataSource;
import java.util.Objects;

/**
 * How a test reaches its ClickHouse and its own database.
 *
 * @param httpUrl    the HTTP interface, e.g. {@code http://127.0.0.1:8123}, for client-v2
 * @param jdbcUrl    a JDBC URL whose connections use {@code database}
 * @param user       user name
 * @param password   password, empty when the server asks for none
 * @param database   the database this test owns; it is dropped with everything in it after the test
 * @param dataSource connections like {@code jdbcUrl}'s, through the ClickHouse JDBC driver on the class path
 */
public record ClickHouseEndpoint(String httpUrl, String jdbcUrl, String user, String password, String database,
                                 DataSource dataSource) {
    public ClickHouseEndpoint {
        Objects.requireNonNull(httpUrl, "httpUrl");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Leaves the password out, so that a failing test does not print it. */
    @Override
    public String toString() {
        return "ClickHouseEndpoint[" + httpUrl + ", database " + database + ", user " + user + "]";
    }
}
