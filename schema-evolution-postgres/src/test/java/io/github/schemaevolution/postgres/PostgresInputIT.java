package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.EngineInputCampaign;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 generated tables and migrations through the public API on PostgreSQL ({@link EngineInputCampaign}):
 * each succeeds and reads back, or is refused with a code and leaves the schema as it was.
 */
@PostgresTest
class PostgresInputIT {
    private static final String SNAPSHOT = "SELECT coalesce(string_agg(c.relname || ' ' || c.relkind::text || ' ' || coalesce((SELECT"
            + " string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)"
            + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')"
            + " || CASE WHEN c.relkind = 'v' THEN ' ' || pg_catalog.pg_get_viewdef(c.oid) ELSE '' END, E'\\n'"
            + " ORDER BY c.relname), '') FROM pg_catalog.pg_class c"
            + " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')"
            + " AND starts_with(c.relname, ?)";

    @Test
    void everyCaseSucceedsOrIsRefusedWithACodeAndChangesNothing(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE TABLE u1_v1 (id bigint, note text)");
            connection.createStatement().execute("CREATE TABLE u2_latest (id bigint, note text)");
            connection.createStatement().execute("INSERT INTO u1_v1 VALUES (1, 'a')");
        }
        EngineInputCampaign.Report report = new EngineInputCampaign(dataSource, PostgresInputIT::snapshot, 20261202)
                .run(10_000, 12, List.of("u1_v1", "u2_latest"));
        System.out.println("PostgreSQL input campaign: " + report);
        assertThat(report.reachedEngine()).isGreaterThan(800);
        assertThat(report.succeeded()).isGreaterThan(100);
        assertThat(report.refusals()).containsKeys(io.github.schemaevolution.api.ErrorCode.NAME_TAKEN,
                io.github.schemaevolution.api.ErrorCode.IDENTIFIER_TOO_LONG);
    }

    private static String snapshot(Connection connection, String table) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (PreparedStatement select = connection.prepareStatement(SNAPSHOT)) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                text.append(row.getString(1));
            }
        }
        try (ResultSet row = connection.createStatement().executeQuery("SELECT pg_catalog.to_regclass('schema_evolution_history') IS NOT NULL")) {
            row.next();
            if (!row.getBoolean(1)) {
                return text.toString();
            }
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT coalesce(string_agg(version || ' ' || status"
                + " || ' ' || md5(state), ',' ORDER BY version), '') FROM schema_evolution_history WHERE table_name = ?")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                text.append('\n').append(row.getString(1));
            }
        }
        return text.toString();
    }
}
