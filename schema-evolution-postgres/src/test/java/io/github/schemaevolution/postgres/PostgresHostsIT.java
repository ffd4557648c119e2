package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.api.hosts.Host;
import io.github.schemaevolution.testkit.contract.HostsContract;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Three PostgreSQL databases of one server as the hosts: each has its own catalog, history and locks. */
@PostgresTest
class PostgresHostsIT extends HostsContract {
    private PostgresEndpoint endpoint;
    private final List<String> databases = new ArrayList<>();

    @BeforeEach
    void databases(PostgresEndpoint endpoint) throws SQLException {
        this.endpoint = endpoint;
        for (String host : List.of("b", "c")) {
            String database = ("host_" + host + "_" + endpoint.schema()).toLowerCase(java.util.Locale.ROOT);
            execute("CREATE DATABASE " + database);
            databases.add(database);
        }
    }

    @AfterEach
    void dropDatabases() throws SQLException {
        for (String database : databases) {
            execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private String url(String database) {
        String base = endpoint.jdbcUrl().substring(0, endpoint.jdbcUrl().indexOf('?'));
        return base.substring(0, base.lastIndexOf('/') + 1) + database;
    }

    @Override
    protected List<Host> hosts() {
        List<Host> hosts = new ArrayList<>(List.of(new Host("pg-a", endpoint.dataSource())));
        for (int i = 0; i < databases.size(); i++) {
            hosts.add(new Host(i == 0 ? "pg-b" : "pg-c", DriverDataSource.of(url(databases.get(i)), endpoint.user(), endpoint.password())));
        }
        return hosts;
    }

    @Override
    protected DataSource unreachable() {
        return DriverDataSource.of("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=2", endpoint.user(), endpoint.password());
    }
}
