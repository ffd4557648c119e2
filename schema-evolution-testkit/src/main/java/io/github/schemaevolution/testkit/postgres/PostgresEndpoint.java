package io.github.schemaevolution.testkit.postgres;

import javax.sql.DataSource;
import java.util.Objects;

/**
 * How a test reaches its PostgreSQL server and its own schema.
 *
 * @param jdbcUrl    URL whose connections use {@code schema} as their current schema
 * @param user       user name
 * @param password   password, empty when the server asks for none
 * @param schema     the schema this test owns; it is dropped with everything in it after the test
 * @param dataSource connections like {@code jdbcUrl}'s
 */
public record PostgresEndpoint(String jdbcUrl, String user, String password, String schema, DataSource dataSource) {
    public PostgresEndpoint {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Leaves the password out, so that a failing test does not print it. */
    @Override
    public String toString() {
        return "PostgresEndpoint[" + jdbcUrl + ", user " + user + ", schema " + schema + "]";
    }
}
