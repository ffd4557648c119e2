package io.github.schemaevolution.testkit.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded ClickHouse through the official clients: JDBC and client-v2. */
@ClickHouseTest
class ClickHouseClientsIT {
    private static final String ALL_TYPES = "CREATE TABLE all_types (id UInt32, i8 Int8, i16 Int16, i32 Int32, i64 Int64,"
            + " u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64, f32 Float32, f64 Float64, dec Decimal(18, 4), s String,"
            + " fs FixedString(4), b Bool, d Date, dt DateTime, dt64 DateTime64(3), u UUID, arr Array(Int32),"
            + " n Nullable(Int32), lc LowCardinality(String), e Enum8('up' = 1, 'down' = -1))"
            + " ENGINE = MergeTree ORDER BY id";

    /** How ClickHouse prints the row both clients write, column by column after the id. */
    private static final String EXPECTED_ROW = String.join("\t", "-8", "-1600", "-320000", "-6400000000", "200", "60000",
            "4000000000", "18000000000000000000", "1.5", "2.25", "12345.6789", "héllo 'q'", "abcd", "true", "2026-11-23",
            "2026-11-23 10:11:12", "2026-11-23 10:11:12.345", "123e4567-e89b-12d3-a456-426614174000", "[1,2,3]", "\\N",
            "IT", "down");

    private static Client client(ClickHouseEndpoint endpoint) {
        return new Client.Builder().addEndpoint(endpoint.httpUrl()).setUsername(endpoint.user())
                .setPassword(endpoint.password()).setDefaultDatabase(endpoint.database()).build();
    }

    @Test
    void everyColumnTypeRoundTripsThroughJdbc(ClickHouseEndpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection()) {
            connection.createStatement().execute(ALL_TYPES);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO all_types VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Object[] values = {1, (byte) -8, (short) -1600, -320000, -6400000000L, (short) 200, 60000, 4000000000L,
                        new BigInteger("18000000000000000000"), 1.5f, 2.25, new BigDecimal("12345.6789"), "héllo 'q'",
                        "abcd", true, LocalDate.of(2026, 11, 23), LocalDateTime.of(2026, 11, 23, 10, 11, 12),
                        LocalDateTime.of(2026, 11, 23, 10, 11, 12, 345_000_000), UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                        connection.createArrayOf("Int32", new Integer[]{1, 2, 3}), null, "IT", "down"};
                for (int i = 0; i < values.length; i++) {
                    insert.setObject(i + 1, values[i]);
                }
                insert.addBatch();
                insert.executeBatch();
            }
            assertThat(rowAsText(connection, 1)).isEqualTo(EXPECTED_ROW);
            try (ResultSet row = connection.createStatement().executeQuery(
                    "SELECT i64, u64, dec, dt64, u, arr, n, e FROM all_types WHERE id = 1")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong("i64")).isEqualTo(-6400000000L);
                assertThat(new BigInteger(row.getString("u64"))).isEqualTo(new BigInteger("18000000000000000000"));
                assertThat(row.getBigDecimal("dec")).isEqualByComparingTo("12345.6789");
                assertThat(row.getObject("dt64", LocalDateTime.class)).isEqualTo(LocalDateTime.of(2026, 11, 23, 10, 11, 12, 345_000_000));
                assertThat(row.getObject("u", UUID.class)).isEqualTo(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
                assertThat((Object[]) row.getArray("arr").getArray()).containsExactly(1, 2, 3);
                assertThat(row.getObject("n")).isNull();
                assertThat(row.getString("e")).isEqualTo("down");
            }
        }
    }

    @Test
    void everyColumnTypeRoundTripsThroughClientV2(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            client.execute(ALL_TYPES).get().close();
            String json = "{\"id\":2,\"i8\":-8,\"i16\":-1600,\"i32\":-320000,\"i64\":-6400000000,\"u8\":200,\"u16\":60000,"
                    + "\"u32\":4000000000,\"u64\":\"18000000000000000000\",\"f32\":1.5,\"f64\":2.25,\"dec\":\"12345.6789\","
                    + "\"s\":\"héllo 'q'\",\"fs\":\"abcd\",\"b\":true,\"d\":\"2026-11-23\",\"dt\":\"2026-11-23 10:11:12\","
                    + "\"dt64\":\"2026-11-23 10:11:12.345\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"arr\":[1,2,3],"
                    + "\"n\":null,\"lc\":\"IT\",\"e\":\"down\"}\n";
            client.insert("all_types", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    ClickHouseFormat.JSONEachRow).get().close();
            try (Connection connection = endpoint.dataSource().getConnection()) {
                assertThat(rowAsText(connection, 2)).isEqualTo(EXPECTED_ROW);
            }
            List<GenericRecord> rows = client.queryAll("SELECT i8, u32, u64, f64, dec, s, d, arr, n, lc FROM all_types WHERE id = 2");
            assertThat(rows).hasSize(1);
            GenericRecord row = rows.get(0);
            assertThat(row.getByte("i8")).isEqualTo((byte) -8);
            assertThat(row.getLong("u32")).isEqualTo(4000000000L);
            assertThat(row.getBigInteger("u64")).isEqualTo(new BigInteger("18000000000000000000"));
            assertThat(row.getDouble("f64")).isEqualTo(2.25);
            assertThat(row.getBigDecimal("dec")).isEqualByComparingTo("12345.6789");
            assertThat(row.getString("s")).isEqualTo("héllo 'q'");
            assertThat(row.getLocalDate("d")).isEqualTo(LocalDate.of(2026, 11, 23));
            assertThat(row.getList("arr")).containsExactly(1, 2, 3);
            assertThat(row.getObject("n")).isNull();
            assertThat(row.getString("lc")).isEqualTo("IT");
        }
    }

    @Test
    void bulkRowBinaryInsertThroughTheStreamingApi(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            client.execute("CREATE TABLE bulk (id UInt32, label String) ENGINE = MergeTree ORDER BY id").get().close();
            ByteArrayOutputStream rows = new ByteArrayOutputStream();
            for (int i = 0; i < 20_000; i++) {
                rows.write(new byte[]{(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)});
                // labels with blank lines inside: the reason binary data goes through the streaming insert
                byte[] label = ("row " + i + (i % 1000 == 0 ? "\n\n" : "")).getBytes(StandardCharsets.UTF_8);
                rows.write(label.length);
                rows.write(label);
            }
            client.insert("bulk", new ByteArrayInputStream(rows.toByteArray()), ClickHouseFormat.RowBinary).get().close();
            List<GenericRecord> summary = client.queryAll("SELECT count() AS n, sum(id) AS total, countIf(label LIKE '%\\n\\n') AS blank FROM bulk");
            assertThat(summary.get(0).getLong("n")).isEqualTo(20_000);
            assertThat(summary.get(0).getLong("total")).isEqualTo(199_990_000L);
            assertThat(summary.get(0).getLong("blank")).isEqualTo(20);
        }
    }

    @Test
    void serverSideParametersInBothClients(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            List<GenericRecord> rows = client.queryAll("SELECT {x:UInt32} * 2 AS doubled, {s:String} AS echoed",
                    Map.of("x", 21, "s", "it's"));
            assertThat(rows.get(0).getLong("doubled")).isEqualTo(42);
            assertThat(rows.get(0).getString("echoed")).isEqualTo("it's");
        }
        try (Connection connection = endpoint.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT ? * 2, ?")) {
            select.setInt(1, 21);
            select.setString(2, "it's; DROP TABLE x");
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong(1)).isEqualTo(42);
                assertThat(row.getString(2)).isEqualTo("it's; DROP TABLE x");
            }
        }
    }

    @Test
    void aFailingQueryCarriesTheClickHouseErrorCode(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            assertThatThrownBy(() -> client.query("SELECT * FROM no_such_table").get())
                    .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60));
        }
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOf(SQLException.class)
                    .cause().isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60));
            assertThatThrownBy(() -> statement.execute("CREATE TABLE broken (x NoSuchType) ENGINE = Memory"))
                    .hasMessageContaining("UNKNOWN_TYPE");
        }
    }

    @Test
    void settingsApplyToTheirRequestOnly(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            com.clickhouse.client.api.query.QuerySettings settings = new com.clickhouse.client.api.query.QuerySettings()
                    .serverSetting("max_threads", "3");
            List<GenericRecord> limited = client.queryAll("SELECT getSetting('max_threads') AS t", settings);
            List<GenericRecord> normal = client.queryAll("SELECT getSetting('max_threads') AS t");
            assertThat(limited.get(0).getString("t")).isEqualTo("3");
            assertThat(normal.get(0).getString("t")).isNotEqualTo("3");
        }
    }

    @Test
    void renameColumnAndExchangeTables(ClickHouseEndpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE a (id UInt32, v String) ENGINE = MergeTree ORDER BY id");
            statement.execute("CREATE TABLE b (id UInt32, v String) ENGINE = MergeTree ORDER BY id");
            statement.execute("INSERT INTO a VALUES (1, 'from a')");
            statement.execute("INSERT INTO b VALUES (2, 'from b')");
            statement.execute("EXCHANGE TABLES a AND b");
            statement.execute("ALTER TABLE a RENAME COLUMN v TO label SETTINGS mutations_sync = 2");
            List<String> labels = new ArrayList<>();
            try (ResultSet row = statement.executeQuery("SELECT label FROM a")) {
                while (row.next()) {
                    labels.add(row.getString(1));
                }
            }
            assertThat(labels).containsExactly("from b");
        }
    }

    private static String rowAsText(Connection connection, int id) throws SQLException {
        try (ResultSet row = connection.createStatement().executeQuery("SELECT arrayStringConcat(arrayMap(x -> ifNull(x, '\\\\N'),"
                + " [toString(i8), toString(i16), toString(i32), toString(i64), toString(u8), toString(u16), toString(u32),"
                + " toString(u64), toString(f32), toString(f64), toString(dec), s, toString(fs), toString(b), toString(d),"
                + " toString(dt), toString(dt64), toString(u), toString(arr), toString(n), toString(lc), toString(e)]), '\\t')"
                + " FROM all_types WHERE id = " + id)) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }
}
