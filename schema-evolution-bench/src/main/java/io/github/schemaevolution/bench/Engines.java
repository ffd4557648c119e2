package io.github.schemaevolution.bench;

import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Starts an embedded engine for a benchmark trial and gives it the engine's own bulk-fill statement. */
public final class Engines {
    private Engines() {
    }

    /** A started engine; closing it stops the engine and removes its data. */
    public interface Running extends AutoCloseable {
        DataSource dataSource();

        /** {@code rows} rows of (id Int64, payload String) in the engine's fastest way. */
        String fillSql(String table, int rows);

        default void execute(String sql) throws SQLException {
            try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }
    }

    public static Running start(String engine) {
        return switch (engine) {
            case "postgresql" -> postgres();
            case "clickhouse" -> clickhouse();
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        };
    }

    private static Running clickhouse() {
        EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
        return new Running() {
            @Override
            public DataSource dataSource() {
                return clickhouse.dataSource();
            }

            @Override
            public String fillSql(String table, int rows) {
                return "INSERT INTO " + table + " (id, payload) SELECT number, toString(cityHash64(number)) FROM numbers(" + rows + ")";
            }

            @Override
            public void close() {
                clickhouse.close();
            }
        };
    }

    private static Running postgres() {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
        return new Running() {
            @Override
            public DataSource dataSource() {
                return postgres.getPostgresDatabase();
            }

            @Override
            public String fillSql(String table, int rows) {
                return "INSERT INTO " + table + " (id, payload) SELECT g, md5(g::text) FROM generate_series(1, " + rows + ") AS g";
            }

            @Override
            public void close() throws IOException {
                postgres.close();
            }
        };
    }
}
