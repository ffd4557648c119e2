package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.EngineInputCampaign;
import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 generated tables and migrations through the public API on ClickHouse ({@link EngineInputCampaign}):
 * each succeeds and reads back, or is refused with a code and leaves the database as it was.
 */
@ClickHouseTest
class ClickHouseInputIT {

    @Test
    void everyCaseSucceedsOrIsRefusedWithACodeAndChangesNothing(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE u1_v1 (id Int64, note String) ENGINE = MergeTree ORDER BY id");
            connection.createStatement().execute("CREATE TABLE u2_latest (id Int64, note String) ENGINE = MergeTree ORDER BY id");
            connection.createStatement().execute("INSERT INTO u1_v1 VALUES (1, 'a')");
        }
        EngineInputCampaign.Report report = new EngineInputCampaign(dataSource, ClickHouseInputIT::snapshot, 20261202)
                .run(10_000, 4, List.of("u1_v1", "u2_latest"));
        System.out.println("ClickHouse input campaign: " + report);
        assertThat(report.reachedEngine()).isGreaterThan(250);
        assertThat(report.succeeded()).isGreaterThan(50);
        assertThat(report.refusals()).containsKeys(ErrorCode.NAME_TAKEN, ErrorCode.IDENTIFIER_TOO_LONG);
    }

    private static String snapshot(Connection connection, String table) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (PreparedStatement select = connection.prepareStatement("SELECT name, create_table_query FROM system.tables"
                + " WHERE database = currentDatabase() AND (startsWith(name, ?) OR name = concat('schema_evolution_lock_', ?))"
                + " ORDER BY name")) {
            select.setString(1, table);
            select.setString(2, table);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    text.append(row.getString(1)).append(' ').append(row.getString(2)).append('\n');
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT count() FROM system.tables"
                + " WHERE database = currentDatabase() AND name = 'schema_evolution_history'");
             ResultSet row = select.executeQuery()) {
            row.next();
            if (row.getLong(1) == 0) {
                return text.toString();
            }
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT version, status, cityHash64(state)"
                + " FROM schema_evolution_history FINAL WHERE table_name = ? ORDER BY version")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    text.append(row.getInt(1)).append(' ').append(row.getString(2)).append(' ').append(row.getString(3)).append('\n');
                }
            }
        }
        return text.toString();
    }
}
