package io.github.schemaevolution.testkit.clickhouse;

import com.clickhouse.client.api.Client;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DDL schema evolution relies on, through JDBC and client-v2: MergeTree-family tables with
 * keys and settings, column changes, views replaced in place, tables exchanged and dropped.
 */
@ClickHouseTest
class ClickHouseDdlIT {

    @Test
    void createsMergeTreeFamilyTablesWithKeysPartitionsAndSettings(ClickHouseEndpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE events (id UInt64, day Date, version UInt32, payload String)"
                    + " ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(day) ORDER BY (id, day)"
                    + " SETTINGS index_granularity = 1024");
            statement.execute("CREATE TABLE plain (id UInt64, at DateTime) ENGINE = MergeTree PARTITION BY toDate(at) ORDER BY id");

            assertThat(rows(statement, "SELECT name, engine, partition_key, sorting_key FROM system.tables"
                    + " WHERE database = currentDatabase() ORDER BY name")).containsExactly(
                    "events|ReplacingMergeTree|toYYYYMM(day)|id, day",
                    "plain|MergeTree|toDate(at)|id");
            assertThat(rows(statement, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'events'"))
                    .singleElement().asString().contains("ReplacingMergeTree(version)", "index_granularity = 1024");

            statement.execute("INSERT INTO events VALUES (1, '2026-11-01', 1, 'old'), (1, '2026-11-01', 2, 'new'),"
                    + " (2, '2026-12-01', 1, 'other')");
            assertThat(rows(statement, "SELECT id, payload FROM events FINAL ORDER BY id")).containsExactly("1|new", "2|other");
            assertThat(rows(statement, "SELECT count() FROM system.parts WHERE database = currentDatabase()"
                    + " AND table = 'events' AND active GROUP BY partition ORDER BY partition")).hasSize(2);
        }
    }

    @Test
    void addsRenamesModifiesAndDropsColumnsKeepingTheData(ClickHouseEndpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id UInt32, amount UInt16, note String) ENGINE = MergeTree ORDER BY id");
            statement.execute("INSERT INTO t VALUES (1, 100, 'a'), (2, 200, 'b')");

            statement.execute("ALTER TABLE t ADD COLUMN extra Nullable(Int32) AFTER amount");
            statement.execute("ALTER TABLE t RENAME COLUMN note TO label SETTINGS mutations_sync = 2");
            statement.execute("ALTER TABLE t MODIFY COLUMN amount UInt64 SETTINGS mutations_sync = 2");
            statement.execute("ALTER TABLE t DROP COLUMN extra SETTINGS mutations_sync = 2");

            assertThat(rows(statement, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 't'"
                    + " ORDER BY position")).containsExactly("id|UInt32", "amount|UInt64", "label|String");
            assertThat(rows(statement, "SELECT id, amount, label FROM t ORDER BY id")).containsExactly("1|100|a", "2|200|b");
            statement.execute("INSERT INTO t VALUES (3, 18000000000000000000, 'c')");
            assertThat(rows(statement, "SELECT max(amount) FROM t")).containsExactly("18000000000000000000");

            DatabaseMetaData metadata = connection.getMetaData();
            List<String> columns = new ArrayList<>();
            try (ResultSet column = metadata.getColumns(null, endpoint.database(), "t", null)) {
                while (column.next()) {
                    columns.add(column.getString("COLUMN_NAME") + "|" + column.getString("TYPE_NAME"));
                }
            }
            assertThat(columns).containsExactly("id|UInt32", "amount|UInt64", "label|String");
        }
    }

    @Test
    void replacesViewsInPlace(ClickHouseEndpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE base (id UInt32, c1 String, c2 String) ENGINE = MergeTree ORDER BY id");
            statement.execute("INSERT INTO base VALUES (1, 'x', 'y')");
            statement.execute("CREATE OR REPLACE VIEW current AS SELECT id, c1 AS name FROM base");
            assertThat(rows(statement, "SELECT * FROM current")).containsExactly("1|x");

            statement.execute("CREATE OR REPLACE VIEW current AS SELECT id, c1 AS name, c2 AS city FROM base");
            assertThat(rows(statement, "SELECT * FROM current")).containsExactly("1|x|y");
            assertThat(rows(statement, "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = 'current'"))
                    .containsExactly("View");

            statement.execute("DROP VIEW current");
            assertThat(rows(statement, "EXISTS TABLE current")).containsExactly("0");
        }
    }

    @Test
    void exchangesAndDropsTablesThroughClientV2(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = new Client.Builder().addEndpoint(endpoint.httpUrl()).setUsername(endpoint.user())
                .setPassword(endpoint.password()).setDefaultDatabase(endpoint.database()).build()) {
            client.execute("CREATE TABLE live (id UInt32, v String) ENGINE = MergeTree ORDER BY id").get().close();
            client.execute("CREATE TABLE live_next (id UInt32, v String, added UInt8) ENGINE = MergeTree ORDER BY id").get().close();
            client.execute("INSERT INTO live VALUES (1, 'before')").get().close();
            client.execute("INSERT INTO live_next VALUES (1, 'after', 1)").get().close();

            client.execute("EXCHANGE TABLES live AND live_next").get().close();
            assertThat(client.queryAll("SELECT v, added FROM live").get(0).getString("v")).isEqualTo("after");
            assertThat(client.queryAll("SELECT v FROM live_next").get(0).getString("v")).isEqualTo("before");

            client.execute("DROP TABLE live_next SYNC").get().close();
            assertThat(client.queryAll("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name"))
                    .extracting(row -> row.getString("name")).containsExactly("live");
        }
    }

    /** Every row as its columns joined by {@code |}. */
    private static List<String> rows(Statement statement, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet row = statement.executeQuery(sql)) {
            int columns = row.getMetaData().getColumnCount();
            while (row.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    line.append(i > 1 ? "|" : "").append(row.getString(i));
                }
                rows.add(line.toString());
            }
        }
        return rows;
    }
}
