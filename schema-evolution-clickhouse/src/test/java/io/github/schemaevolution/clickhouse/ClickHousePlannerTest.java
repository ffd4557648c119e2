package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.Planner;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.ViewNaming;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plans on ClickHouse: logical names live in the views, physical spares never move. */
class ClickHousePlannerTest {
    private final ClickHouseDialect dialect = new ClickHouseDialect();
    private final Planner planner = new Planner(dialect, ViewNaming.DEFAULT);
    private final Table fastpath = Fastpath.model();
    private final List<SchemaVersion> history = new ArrayList<>(List.of(
            SchemaVersion.initial(null, "fastpath", "_spare_", fastpath.physicalColumns())));

    private Plan apply(Migration.Builder migration) {
        Plan plan = planner.plan(migration.build(), history.get(history.size() - 1), history, fastpath, Map.of());
        history.add(plan.to());
        return plan;
    }

    private static Migration.Builder migration(String id) {
        return Migration.builder(id, "fastpath");
    }

    @Test
    void addThroughThePoolIsViewsOnly() {
        Plan plan = apply(migration("m1").add("ratio", nullable(FLOAT64)));
        assertThat(plan.cost()).isEqualTo(DdlStatement.Cost.INSTANT);
        assertThat(plan.statements()).extracting(DdlStatement::sql).noneMatch(sql -> sql.startsWith("ALTER"));
        assertThat(plan.to().physicalName("ratio")).isEqualTo("_spare_float64_1");
        assertThat(plan.to().pool().free(FLOAT64.orNullable())).isEqualTo(2);
        assertThat(plan.sql()).contains("CREATE OR REPLACE VIEW `fastpath_v2` AS SELECT `measurement_uid`,",
                "`_spare_float64_1` AS `ratio` FROM `fastpath` COMMENT 'schema-evolution view of fastpath';  -- INSTANT",
                "CREATE OR REPLACE VIEW `fastpath_latest`");
        assertThat(plan.to().expectedPhysicalColumns()).hasSize(fastpath.physicalColumns().size());
    }

    @Test
    void aDroppedColumnIsRetainedUntilItsVersionsRetireAndARecycledSpareNeverShowsUnderItsOldName() {
        apply(migration("m1").add("ratio", nullable(FLOAT64)));
        Plan drop = apply(migration("m2").drop("ratio"));
        assertThat(drop.sql()).as("a drop is metadata only").doesNotContain("ALTER", "`fastpath_v2`");
        assertThat(drop.to().pool().free(FLOAT64.orNullable())).as("the spare is kept for version 2").isEqualTo(2);
        Plan another = apply(migration("m3").add("speed", nullable(FLOAT64)));
        assertThat(another.to().physicalName("speed")).isEqualTo("_spare_float64_2");

        Plan retire = apply(migration("m4").retire(2));
        assertThat(retire.sql()).contains("DROP VIEW IF EXISTS `fastpath_v1`", "DROP VIEW IF EXISTS `fastpath_v2`",
                "ALTER TABLE `fastpath` CLEAR COLUMN IF EXISTS `_spare_float64_1`").doesNotContain("`fastpath_v3` AS");
        assertThat(retire.to().pool().free(FLOAT64.orNullable())).isEqualTo(2);
        history.removeIf(version -> version.version() <= 2);

        Plan reuse = apply(migration("m5").add("jerk", nullable(FLOAT64)));
        assertThat(reuse.to().physicalName("jerk")).isEqualTo("_spare_float64_1");
        assertThat(reuse.statements().get(0).sql()).as("a recycled spare is emptied again before it shows a new name")
                .isEqualTo("ALTER TABLE `fastpath` CLEAR COLUMN IF EXISTS `_spare_float64_1` SETTINGS mutations_sync = 2");
        assertThat(Planner.projection(drop.from(), reuse.to()))
                .anySatisfy(c -> assertThat(c.isNull() && c.alias().equals("ratio")).isTrue());
    }

    @Test
    void renameLivesInTheViews() {
        Plan plan = apply(migration("m1").rename("scores", "score_json"));
        assertThat(plan.statements()).extracting(DdlStatement::sql).noneMatch(sql -> sql.startsWith("ALTER"));
        assertThat(plan.to().physicalName("score_json")).isEqualTo("scores");
        assertThat(plan.sql()).contains("`scores` AS `score_json`");
    }

    @Test
    void widenKeepsOldReadersOnTheirType() {
        Plan plan = apply(migration("m1").widen("page_len_ratio", FLOAT64));
        assertThat(plan.statements().get(0)).isEqualTo(new DdlStatement(
                "ALTER TABLE `fastpath` MODIFY COLUMN `page_len_ratio` Float64", DdlStatement.Cost.REWRITE));
        assertThat(plan.sql()).contains("CREATE OR REPLACE VIEW `fastpath_v1` AS SELECT", "CAST(`page_len_ratio` AS Float32) AS `page_len_ratio`");
    }

    @Test
    void refillNumbersNewSparesAfterTheExistingOnes() {
        Plan plan = apply(migration("m1").refill(FLOAT64, 2).refill(UINT16, 1));
        assertThat(plan.statements()).extracting(DdlStatement::sql).startsWith(
                "ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `_spare_float64_4` Nullable(Float64) COMMENT 'reserved spare column (schema-evolution)'",
                "ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `_spare_float64_5` Nullable(Float64) COMMENT 'reserved spare column (schema-evolution)'",
                "ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `_spare_uint16_1` Nullable(UInt16) COMMENT 'reserved spare column (schema-evolution)'");
        assertThat(plan.to().pool().free(nullable(FLOAT64))).isEqualTo(5);
    }

    @Test
    void anExhaustedPoolIsRefusedWhilePlanning() {
        apply(migration("m1").add("a", nullable(STRING)).add("b", nullable(STRING)));
        refused(() -> apply(migration("m2").add("c", nullable(STRING))), ErrorCode.POOL_EXHAUSTED, "c");
        assertThatThrownBy(() -> apply(migration("m2").add("c", nullable(STRING))))
                .hasMessageContaining("Nullable(String) 0/2 free");
        Plan nativeAdd = apply(migration("m3").addOrNative("c", nullable(STRING)));
        assertThat(nativeAdd.statements().get(0).sql())
                .isEqualTo("ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `c` Nullable(String)");
    }

    @Test
    void badChangesAreRefusedWhilePlanning() {
        refused(() -> apply(migration("m").add("report_id", nullable(STRING))), ErrorCode.COLUMN_EXISTS, "report_id");
        refused(() -> apply(migration("m").add("Report_ID", nullable(STRING))), ErrorCode.COLUMN_EXISTS, "Report_ID");
        refused(() -> apply(migration("m").drop("nope")), ErrorCode.COLUMN_NOT_FOUND, "nope");
        refused(() -> apply(migration("m").add("_spare_mine", nullable(STRING))), ErrorCode.IDENTIFIER_RESERVED, "_spare_mine");
        refused(() -> apply(migration("m").add("bad name", STRING)), ErrorCode.IDENTIFIER_UNSAFE, "bad name");
        refused(() -> apply(migration("m").widen("page_len", INT8)), ErrorCode.CHANGE_FORBIDDEN, "page_len");
        refused(() -> apply(migration("m").widen("page_len", FLOAT32)), ErrorCode.CHANGE_FORBIDDEN, "page_len");
        assertThat(history).hasSize(1);
    }

    @Test
    void protectedColumnsAreRefused() {
        Map<String, String> keys = Map.of("report_id", "it is part of the sorting key (ORDER BY)");
        assertThatThrownBy(() -> planner.plan(migration("m").drop("report_id").build(), history.get(0), history, fastpath, keys))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("sorting key", "report_id", "clickhouse");
                });
        assertThatThrownBy(() -> planner.plan(migration("m").widen("report_id", STRING).build(), history.get(0), history, fastpath, keys))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN));
        // a rename lives in the views: the physical key column keeps its name
        Plan renamed = planner.plan(migration("m").rename("report_id", "rid").build(), history.get(0), history, fastpath, keys);
        assertThat(renamed.statements()).extracting(DdlStatement::sql).noneMatch(sql -> sql.contains("RENAME COLUMN"))
                .anyMatch(sql -> sql.contains("`report_id` AS `rid`"));
    }

    @Test
    void retypesThatCanLoseValuesNeedConsentAndKeyColumnsStayTheirType() {
        refused(() -> apply(migration("m").retype("page_len", nullable(FLOAT32), "toFloat32({old})")), ErrorCode.CHANGE_FORBIDDEN, "page_len");
        assertThatThrownBy(() -> apply(migration("m").retype("page_len", nullable(FLOAT32), "toFloat32({old})")))
                .hasMessageContaining("retypeLossy");
        Plan lossy = apply(migration("m1").retypeLossy("page_len", nullable(FLOAT32), "toFloat32({old})"));
        assertThat(lossy.statements()).extracting(DdlStatement::sql).containsSubsequence(
                "ALTER TABLE `fastpath` MODIFY COLUMN `_spare_float32_1` DEFAULT toFloat32(`page_len`)",
                "ALTER TABLE `fastpath` CLEAR COLUMN IF EXISTS `_spare_float32_1` SETTINGS mutations_sync = 2");
        assertThat(lossy.to().retypes()).singleElement().satisfies(r -> {
            assertThat(r.column()).isEqualTo("page_len");
            assertThat(r.phase()).isEqualTo(io.github.schemaevolution.api.evolution.SchemaVersion.Retype.Phase.BACKFILL);
        });
        assertThatThrownBy(() -> new io.github.schemaevolution.api.evolution.Change.RetypeColumn("x", STRING, "toString(x)", false))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
        assertThatThrownBy(() -> apply(migration("m2").widen("report_id", nullable(STRING))))
                .hasMessageContaining("retype(");
        Map<String, String> keys = Map.of("report_id", "it is part of the sorting key (ORDER BY)");
        assertThatThrownBy(() -> planner.plan(migration("m").retype("report_id", nullable(STRING), "{old}").build(),
                history.get(history.size() - 1), history, fastpath, keys))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("sorting key");
                });
    }

    @Test
    void aNonNullableAddTakesANonNullableSpareAndADefaultIsMetadataThenAClear() {
        refused(() -> apply(migration("m").add("flag", STRING)), ErrorCode.POOL_EXHAUSTED, "flag");
        assertThatThrownBy(() -> apply(migration("m").add("flag", STRING))).hasMessageContaining("notNullSpares");
        Plan plan = apply(migration("m1").refillNotNull(STRING, 1)
                .add("flag", STRING, io.github.schemaevolution.api.model.ColumnDefault.literal("none")));
        assertThat(plan.statements()).extracting(DdlStatement::sql).containsSubsequence(
                "ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `_spare_string_notnull_1` String COMMENT 'reserved spare column (schema-evolution)'",
                "ALTER TABLE `fastpath` MODIFY COLUMN `_spare_string_notnull_1` DEFAULT 'none'",
                "ALTER TABLE `fastpath` CLEAR COLUMN IF EXISTS `_spare_string_notnull_1` SETTINGS mutations_sync = 2");
        assertThat(plan.notes()).singleElement().asString().contains("flag", "the default none");
        assertThat(plan.to().requireColumn("flag").type()).isEqualTo(STRING);
        apply(migration("m2").drop("flag"));
        Plan dropped = apply(migration("m3").retire(2));
        assertThat(dropped.statements()).extracting(DdlStatement::sql).containsSubsequence(
                "ALTER TABLE `fastpath` MODIFY COLUMN `_spare_string_notnull_1` REMOVE DEFAULT",
                "ALTER TABLE `fastpath` CLEAR COLUMN IF EXISTS `_spare_string_notnull_1` SETTINGS mutations_sync = 2");
        assertThat(dropped.to().pool().free(STRING)).isEqualTo(1);
    }

    private static void refused(ThrowingCallable call, ErrorCode code, String column) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.column()).contains(column);
        });
    }
}
