package io.github.schemaevolution.testkit.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.data_formats.RowBinaryFormatWriter;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ClickHouse through the official clients, JDBC and client-v2: every column type the library
 * handles written by each and read back equal by both, bulk RowBinary, server-side parameters,
 * error codes, per-request settings and concurrent requests. Runs against whichever ClickHouse the
 * extension provides (the embedded one by default).
 */
@ClickHouseTest
class ClickHouseClientsIT {

    /** One column of the all-types table: two values and how each client reads the column back as such a value. */
    private record Column(String name, String type, Object first, Object second, JdbcRead readJdbc, RecordRead readRecord) {
    }

    private interface JdbcRead {
        Object read(ResultSet row, String column) throws SQLException;
    }

    private interface RecordRead {
        Object read(GenericRecord row, String column);
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("i8", "Int8", (byte) -8, Byte.MIN_VALUE, ResultSet::getByte, GenericRecord::getByte),
            new Column("i16", "Int16", (short) -1600, Short.MIN_VALUE, ResultSet::getShort, GenericRecord::getShort),
            new Column("i32", "Int32", -320_000, Integer.MIN_VALUE, ResultSet::getInt, GenericRecord::getInteger),
            new Column("i64", "Int64", -6_400_000_000L, Long.MIN_VALUE, ResultSet::getLong, GenericRecord::getLong),
            new Column("u8", "UInt8", (short) 200, (short) 255, ResultSet::getShort, GenericRecord::getShort),
            new Column("u16", "UInt16", 60_000, 65_535, ResultSet::getInt, GenericRecord::getInteger),
            new Column("u32", "UInt32", 4_000_000_000L, 4_294_967_295L, ResultSet::getLong, GenericRecord::getLong),
            new Column("u64", "UInt64", new BigInteger("18000000000000000000"), new BigInteger("18446744073709551615"),
                    (row, c) -> row.getObject(c, BigInteger.class), GenericRecord::getBigInteger),
            new Column("f32", "Float32", 1.5f, -0.25f, ResultSet::getFloat, GenericRecord::getFloat),
            new Column("f64", "Float64", 2.25, 1e300, ResultSet::getDouble, GenericRecord::getDouble),
            new Column("dec", "Decimal(18, 4)", new BigDecimal("12345.6789"), new BigDecimal("-99999999999999.9999"),
                    ResultSet::getBigDecimal, GenericRecord::getBigDecimal),
            // quotes, a backslash, a tab and a blank line: escaping in JDBC, blank lines in binary inserts
            new Column("s", "String", "héllo 'q' \\ x\ty\n\nz", "", ResultSet::getString, GenericRecord::getString),
            new Column("fs", "FixedString(4)", "abcd", "wxyz", ResultSet::getString, GenericRecord::getString),
            new Column("b", "Bool", true, false, ResultSet::getBoolean, GenericRecord::getBoolean),
            new Column("d", "Date", LocalDate.of(2026, 11, 23), LocalDate.of(1970, 1, 1),
                    (row, c) -> row.getObject(c, LocalDate.class), GenericRecord::getLocalDate),
            new Column("dt", "DateTime", LocalDateTime.of(2026, 11, 23, 10, 11, 12), LocalDateTime.of(2000, 2, 29, 23, 59, 59),
                    (row, c) -> row.getObject(c, LocalDateTime.class), GenericRecord::getLocalDateTime),
            new Column("dt64", "DateTime64(3)", LocalDateTime.of(2026, 11, 23, 10, 11, 12, 345_000_000),
                    LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_000_000),
                    (row, c) -> row.getObject(c, LocalDateTime.class), GenericRecord::getLocalDateTime),
            new Column("u", "UUID", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), new UUID(0, 1),
                    (row, c) -> row.getObject(c, UUID.class), GenericRecord::getUUID),
            new Column("arr", "Array(Int32)", List.of(1, 2, 3), List.of(),
                    (row, c) -> Arrays.asList((Object[]) row.getArray(c).getArray()), GenericRecord::getList),
            new Column("n", "Nullable(Int32)", null, 7, ResultSet::getObject, GenericRecord::getObject),
            new Column("lc", "LowCardinality(String)", "IT", "DE", ResultSet::getString, GenericRecord::getString),
            new Column("e", "Enum8('up' = 1, 'down' = -1)", "down", "up", ResultSet::getString, GenericRecord::getString));

    private static final String ALL_TYPES = "CREATE TABLE all_types (id UInt32, "
            + COLUMNS.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "))
            + ") ENGINE = MergeTree ORDER BY id";

    /** client-v2 with its defaults, which include compressed responses ({@code compress=1}). */
    private static Client client(ClickHouseEndpoint endpoint) {
        return builder(endpoint).build();
    }

    private static Client.Builder builder(ClickHouseEndpoint endpoint) {
        return new Client.Builder().addEndpoint(endpoint.httpUrl()).setUsername(endpoint.user())
                .setPassword(endpoint.password()).setDefaultDatabase(endpoint.database());
    }

    @Test
    void everyColumnTypeWrittenByEitherClientReadsBackEqualInBoth(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint); Connection connection = endpoint.dataSource().getConnection()) {
            connection.createStatement().execute(ALL_TYPES);
            insertWithJdbcBatch(connection, Map.of(1, false, 2, true));
            insertWithRowBinary(client, Map.of(3, false, 4, true));

            SoftAssertions softly = new SoftAssertions();
            try (ResultSet row = connection.createStatement().executeQuery("SELECT * FROM all_types ORDER BY id")) {
                for (int id = 1; id <= 4; id++) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getInt("id")).isEqualTo(id);
                    for (Column column : COLUMNS) {
                        Object expected = id % 2 == 1 ? column.first() : column.second();
                        softly.assertThat(column.readJdbc().read(row, column.name())).as("JDBC, row %d, %s", id, column.type())
                                .isEqualTo(expected);
                    }
                }
                assertThat(row.next()).isFalse();
            }
            List<GenericRecord> records = client.queryAll("SELECT * FROM all_types ORDER BY id");
            assertThat(records).hasSize(4);
            for (GenericRecord record : records) {
                int id = record.getInteger("id");
                for (Column column : COLUMNS) {
                    Object expected = id % 2 == 1 ? column.first() : column.second();
                    softly.assertThat(column.readRecord().read(record, column.name())).as("client-v2, row %d, %s", id, column.type())
                            .isEqualTo(expected);
                }
            }
            softly.assertAll();
        }
    }

    /** One batch of {@code INSERT ... VALUES (?, ...)}: row id to whether it gets the second values. */
    private static void insertWithJdbcBatch(Connection connection, Map<Integer, Boolean> rows) throws SQLException {
        String placeholders = String.join(", ", java.util.Collections.nCopies(COLUMNS.size() + 1, "?"));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO all_types (id, "
                + COLUMNS.stream().map(Column::name).collect(Collectors.joining(", ")) + ") VALUES (" + placeholders + ")")) {
            for (Map.Entry<Integer, Boolean> row : rows.entrySet()) {
                insert.setInt(1, row.getKey());
                for (int i = 0; i < COLUMNS.size(); i++) {
                    Column column = COLUMNS.get(i);
                    Object value = row.getValue() ? column.second() : column.first();
                    insert.setObject(i + 2, value instanceof List<?> list ? connection.createArrayOf("Int32", list.toArray()) : value);
                }
                insert.addBatch();
            }
            assertThat(insert.executeBatch()).hasSize(rows.size());
        }
    }

    /** RowBinary, serialised with the client's own writer from the table's schema, sent in one insert. */
    private static void insertWithRowBinary(Client client, Map<Integer, Boolean> rows) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        RowBinaryFormatWriter writer = new RowBinaryFormatWriter(data, client.getTableSchema("all_types"), ClickHouseFormat.RowBinary);
        for (Map.Entry<Integer, Boolean> row : rows.entrySet()) {
            writer.setValue("id", row.getKey().longValue());
            for (Column column : COLUMNS) {
                writer.setValue(column.name(), row.getValue() ? column.second() : column.first());
            }
            writer.commitRow();
        }
        client.insert("all_types", new ByteArrayInputStream(data.toByteArray()), ClickHouseFormat.RowBinary).get().close();
    }

    @Test
    void bulkRowBinaryInsertsArriveWholeWithAndWithoutCompression(ClickHouseEndpoint endpoint) throws Exception {
        try (Client plain = builder(endpoint).compressServerResponse(false).build();
             Client compressing = builder(endpoint).compressClientRequest(true).build()) {
            plain.execute("CREATE TABLE bulk (id UInt32, label String) ENGINE = MergeTree ORDER BY id").get().close();
            plain.insert("bulk", rowBinary(0, 10_000), ClickHouseFormat.RowBinary).get().close();
            compressing.insert("bulk", rowBinary(10_000, 20_000), ClickHouseFormat.RowBinary).get().close();

            String sql = "SELECT count() AS n, sum(id) AS total, countIf(label LIKE '%\\n\\n') AS blank FROM bulk";
            for (Client client : List.of(plain, compressing)) {
                GenericRecord summary = client.queryAll(sql).get(0);
                assertThat(summary.getLong("n")).isEqualTo(20_000);
                assertThat(summary.getLong("total")).isEqualTo(199_990_000L);
                assertThat(summary.getLong("blank")).isEqualTo(20);
            }
        }
    }

    /** Rows {@code (id, 'row <id>')} in RowBinary; every thousandth label ends in a blank line, which inline data would lose. */
    private static ByteArrayInputStream rowBinary(int from, int to) {
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            rows.writeBytes(new byte[]{(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)});
            byte[] label = ("row " + i + (i % 1000 == 0 ? "\n\n" : "")).getBytes(StandardCharsets.UTF_8);
            rows.write(label.length);
            rows.writeBytes(label);
        }
        return new ByteArrayInputStream(rows.toByteArray());
    }

    @Test
    void serverSideParametersInBothClients(ClickHouseEndpoint endpoint) throws Exception {
        String hostile = "it's'; DROP TABLE x; --";
        try (Client client = client(endpoint)) {
            List<GenericRecord> rows = client.queryAll("SELECT {x:UInt32} * 2 AS doubled, {s:String} AS echoed",
                    Map.of("x", 21, "s", hostile));
            assertThat(rows.get(0).getLong("doubled")).isEqualTo(42);
            assertThat(rows.get(0).getString("echoed")).isEqualTo(hostile);
        }
        // JDBC has no named parameters; server settings named param_<name> reach the server as such
        Properties properties = new Properties();
        properties.setProperty("user", endpoint.user());
        properties.setProperty("password", endpoint.password());
        properties.setProperty("clickhouse_setting_param_x", "21");
        properties.setProperty("clickhouse_setting_param_s", hostile);
        try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), properties);
             ResultSet row = connection.createStatement().executeQuery("SELECT {x:UInt32} * 2, {s:String}")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getLong(1)).isEqualTo(42);
            assertThat(row.getString(2)).isEqualTo(hostile);
        }
    }

    @Test
    void aFailingQueryCarriesTheClickHouseErrorCode(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            assertThatThrownBy(() -> client.query("SELECT * FROM no_such_table").get())
                    .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60))
                    .hasMessageContaining("UNKNOWN_TABLE");
            assertThatThrownBy(() -> client.insert("no_such_table", rowBinary(0, 10), ClickHouseFormat.RowBinary).get())
                    .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60));
        }
        try (Connection connection = endpoint.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("UNKNOWN_TABLE")
                    .cause().isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60));
            assertThatThrownBy(() -> statement.execute("CREATE TABLE broken (x NoSuchType) ENGINE = Memory"))
                    .cause().isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(50));
            // the connection is still usable after errors
            try (ResultSet row = statement.executeQuery("SELECT 1")) {
                assertThat(row.next()).isTrue();
            }
        }
    }

    @Test
    void settingsApplyToTheirRequestOnly(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            QuerySettings settings = new QuerySettings().serverSetting("max_block_size", "1234");
            List<GenericRecord> limited = client.queryAll("SELECT getSetting('max_block_size') AS v", settings);
            List<GenericRecord> normal = client.queryAll("SELECT getSetting('max_block_size') AS v");
            assertThat(limited.get(0).getLong("v")).isEqualTo(1234);
            assertThat(normal.get(0).getLong("v")).isNotEqualTo(1234);
        }
    }

    /** Over HTTP without a session, a USE or SET statement affects nothing after its own request. */
    @Test
    void useAndSetStatementsDoNotOutliveTheirRequest(ClickHouseEndpoint endpoint) throws Exception {
        try (Client client = client(endpoint)) {
            long initialBlockSize = client.queryAll("SELECT getSetting('max_block_size') AS v").get(0).getLong("v");
            client.execute("USE system").get().close();
            client.execute("SET max_block_size = 4321").get().close();
            GenericRecord after = client.queryAll("SELECT currentDatabase() AS db, getSetting('max_block_size') AS v").get(0);
            assertThat(after.getString("db")).isEqualTo(endpoint.database());
            assertThat(after.getLong("v")).isEqualTo(initialBlockSize);
        }
    }

    @Test
    void concurrentRequestsEachGetTheirOwnDatabaseSettingsAndParameters(ClickHouseEndpoint endpoint) throws Exception {
        List<String> databases = List.of(endpoint.database(), "system", "default");
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try (Client client = client(endpoint)) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        String database = databases.get((thread + i) % databases.size());
                        long blockSize = 1000 + thread * 100 + i;
                        QuerySettings settings = new QuerySettings().setDatabase(database)
                                .serverSetting("max_block_size", Long.toString(blockSize));
                        Map<String, Object> parameters = new HashMap<>(Map.of("n", thread * 1000 + i));
                        GenericRecord row = client.queryAll("SELECT currentDatabase() AS db, getSetting('max_block_size') AS v,"
                                + " {n:UInt32} AS n", parameters, settings).get(0);
                        String expected = database + "/" + blockSize + "/" + (thread * 1000 + i);
                        String actual = row.getString("db") + "/" + row.getLong("v") + "/" + row.getLong("n");
                        if (!expected.equals(actual)) {
                            seen.add("expected " + expected + ", got " + actual);
                        }
                    }
                    return seen;
                }));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEmpty();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
