package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Changes of ClickHouse tables as the measurement platform makes them: collapsing engines, key columns, non-Nullable adds. */
@ClickHouseTest
class ClickHouseTableChangesIT {

    private static Table measurements(String name, ClickHouseOptions.Engine engine) {
        return Table.builder(name)
                .column("uid", STRING)
                .column("probe_cc", STRING)
                .column("update_time", UINT64)
                .reserve(ReservePolicy.builder().spares(STRING, 1).notNullSpares(STRING, 1).build())
                .clickHouse(ClickHouseOptions.builder().engine(engine).orderBy("uid").build())
                .build();
    }

    @Test
    void finalViewsShowOneRowPerKeyOnAReplacingMergeTreeWithDuplicates(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(measurements("replaced", new ClickHouseOptions.ReplacingMergeTree("update_time")));
        execute(dataSource, "SYSTEM STOP MERGES replaced");
        // two inserts, two parts: the same key twice until a merge
        execute(dataSource, "INSERT INTO replaced (uid, probe_cc, update_time) VALUES ('a', 'IT', 1), ('b', 'DE', 1)");
        execute(dataSource, "INSERT INTO replaced (uid, probe_cc, update_time) VALUES ('a', 'FR', 2)");
        assertThat(rows(dataSource, "SELECT uid, probe_cc FROM replaced_latest FINAL ORDER BY uid"))
                .as("FINAL after a view's name is ignored by ClickHouse").hasSize(3);

        evolution.apply(Migration.builder("final", "replaced").finalViews(true).build());
        assertThat(rows(dataSource, "SELECT uid, probe_cc FROM replaced_latest ORDER BY uid")).containsExactly("a FR", "b DE");
        assertThat(rows(dataSource, "SELECT uid, probe_cc FROM replaced_v1 ORDER BY uid"))
                .as("older versions' views follow").containsExactly("a FR", "b DE");
        SchemaVersion v3 = evolution.apply(Migration.builder("cc-label", "replaced").rename("probe_cc", "country").build()).version();
        assertThat(v3.finalViews()).isTrue();
        assertThat(rows(dataSource, "SELECT uid, country FROM replaced_v3 ORDER BY uid")).containsExactly("a FR", "b DE");

        evolution.apply(Migration.builder("plain", "replaced").finalViews(false).build());
        assertThat(rows(dataSource, "SELECT uid FROM replaced_latest ORDER BY uid")).containsExactly("a", "a", "b");
        assertThat(evolution.verify(null, "replaced").isEmpty()).isTrue();
    }

    @Test
    void finalViewsOnAPlainMergeTreeAreRefusedWithNothingRun(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(measurements("plain_tree", new ClickHouseOptions.MergeTree()));
        assertThatThrownBy(() -> evolution.apply(Migration.builder("final", "plain_tree").finalViews(true).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("MergeTree", "ReplacingMergeTree");
                });
        assertThat(evolution.history(null, "plain_tree")).hasSize(1);
    }

    @Test
    void aSortKeyColumnIsRenamedThroughTheViewsAndKeepsItsPhysicalName(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(measurements("keyed", new ClickHouseOptions.MergeTree()));
        execute(dataSource, "INSERT INTO keyed (uid, probe_cc, update_time) VALUES ('a', 'IT', 1)");
        SchemaVersion v2 = evolution.apply(Migration.builder("rename-key", "keyed").rename("uid", "measurement_uid").build()).version();
        assertThat(v2.physicalName("measurement_uid")).isEqualTo("uid");
        assertThat(rows(dataSource, "SELECT measurement_uid, probe_cc FROM keyed_v2")).containsExactly("a IT");
        assertThat(rows(dataSource, "SELECT uid FROM keyed_v1")).containsExactly("a");
        assertThat(rows(dataSource, "SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'keyed'"))
                .containsExactly("uid");
        assertThatThrownBy(() -> evolution.apply(Migration.builder("retype-key", "keyed").drop("measurement_uid").build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("sorting key");
                });
    }

    @Test
    void aNonNullableAddTakesANonNullableSpareAndOldRowsReadTheEmptyValue(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(measurements("flags", new ClickHouseOptions.MergeTree()));
        execute(dataSource, "INSERT INTO flags (uid, probe_cc, update_time) VALUES ('a', 'IT', 1)");
        SchemaVersion v2 = evolution.apply(Migration.builder("flag", "flags").add("flag", STRING)
                .add("note", STRING.orNullable()).build()).version();
        assertThat(v2.physicalName("flag")).isEqualTo("_spare_string_notnull_1");
        assertThat(rows(dataSource, "SELECT toTypeName(flag), toTypeName(note) FROM flags_v2"))
                .containsExactly("String Nullable(String)");
        assertThat(rows(dataSource, "SELECT uid, flag, isNull(note) FROM flags_v2")).containsExactly("a  1");
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<String> rows(DataSource dataSource, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                List<String> fields = new ArrayList<>();
                for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                    fields.add(row.getString(i));
                }
                rows.add(String.join(" ", fields));
            }
        }
        return rows;
    }
}
