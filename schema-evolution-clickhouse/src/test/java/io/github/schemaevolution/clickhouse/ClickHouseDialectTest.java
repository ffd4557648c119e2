package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.Dialects;
import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.ViewColumn;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClickHouseDialectTest {
    private final ClickHouseDialect dialect = new ClickHouseDialect();

    @Test
    void fastpathGoldenDdl() {
        List<DdlStatement> statements = dialect.createTable(Fastpath.partitionedByMonth());
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0).cost()).isEqualTo(DdlStatement.Cost.INSTANT);
        assertThat(statements.get(0).sql()).isEqualTo("""
                CREATE TABLE `fastpath`
                (
                    `measurement_uid` String,
                    `report_id` String,
                    `input` String,
                    `probe_cc` LowCardinality(String),
                    `probe_asn` Int32,
                    `test_name` LowCardinality(String),
                    `test_start_time` DateTime,
                    `measurement_start_time` DateTime,
                    `filename` String,
                    `scores` String,
                    `platform` String,
                    `anomaly` String,
                    `confirmed` String,
                    `msm_failure` String,
                    `domain` String,
                    `software_name` String,
                    `software_version` String,
                    `control_failure` String,
                    `blocking_general` Float32,
                    `is_ssl_expected` Int8,
                    `page_len` Int32,
                    `page_len_ratio` Float32,
                    `server_cc` String,
                    `server_asn` Int8,
                    `server_as_name` String,
                    `update_time` DateTime64(3) MATERIALIZED now64(3),
                    `test_version` String,
                    `architecture` String,
                    `engine_name` LowCardinality(String),
                    `engine_version` String,
                    `test_runtime` Float32,
                    `blocking_type` String,
                    `test_helper_address` LowCardinality(String),
                    `test_helper_type` LowCardinality(String),
                    `_spare_float32_1` Nullable(Float32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_float32_2` Nullable(Float32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_float32_3` Nullable(Float32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_float64_1` Nullable(Float64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_float64_2` Nullable(Float64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_float64_3` Nullable(Float64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int32_1` Nullable(Int32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int32_2` Nullable(Int32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int32_3` Nullable(Int32) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int64_1` Nullable(Int64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int64_2` Nullable(Int64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_int64_3` Nullable(Int64) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_string_1` Nullable(String) COMMENT 'reserved spare column (schema-evolution)',
                    `_spare_string_2` Nullable(String) COMMENT 'reserved spare column (schema-evolution)',
                    INDEX `fastpath_rid_idx` `report_id` TYPE minmax GRANULARITY 1,
                    INDEX `measurement_uid_idx` `measurement_uid` TYPE minmax GRANULARITY 8
                )
                ENGINE = ReplacingMergeTree(`update_time`)
                PARTITION BY toYYYYMM(`measurement_start_time`)
                ORDER BY (`measurement_start_time`, `report_id`, `input`, `measurement_uid`)
                SETTINGS index_granularity = 8192
                COMMENT 'Output of the fastpath measurement pipeline'""");
    }

    @Test
    void otherEnginesAndKeys() {
        Table summing = Table.builder("counters").schema("stats")
                .column("day", DATE).column("cc", lowCardinality(STRING)).column("n", UINT64).column("sign", INT8)
                .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.SummingMergeTree(List.of("n")))
                        .orderBy("day", "cc").primaryKey("day").build())
                .build();
        assertThat(dialect.createTable(summing).get(0).sql())
                .startsWith("CREATE TABLE `stats`.`counters`")
                .contains("ENGINE = SummingMergeTree(`n`)\nPRIMARY KEY `day`\nORDER BY (`day`, `cc`)");
        Table collapsing = summing.toBuilder().clickHouse(ClickHouseOptions.builder()
                .engine(new ClickHouseOptions.CollapsingMergeTree("sign")).build()).build();
        assertThat(dialect.createTable(collapsing).get(0).sql())
                .contains("ENGINE = CollapsingMergeTree(`sign`)\nORDER BY tuple()");
    }

    @Test
    void defaultsAreRenderedByType() {
        Table table = Table.builder("d")
                .column(Column.of("n", INT32).withDefault(ColumnDefault.literal(-1)))
                .column(Column.of("s", STRING).withDefault(ColumnDefault.literal("it's \\ here")))
                .column(Column.of("b", BOOL).withDefault(ColumnDefault.literal(true)))
                .column(Column.of("t", DATETIME).withDefault(ColumnDefault.now()))
                .column(Column.of("e", INT64).withDefault(ColumnDefault.expression("toInt64(n) * 2")))
                .build();
        assertThat(dialect.createTable(table).get(0).sql()).contains(
                "`n` Int32 DEFAULT -1,", "`s` String DEFAULT 'it\\'s \\\\ here',", "`b` Bool DEFAULT true,",
                "`t` DateTime DEFAULT now(),", "`e` Int64 DEFAULT toInt64(n) * 2");
    }

    @Test
    void altersSayWhatTheyCostOnClickHouse() {
        Table table = Fastpath.model();
        assertThat(dialect.addColumn(table, Column.of("ratio", nullable(FLOAT64))))
                .isEqualTo(new DdlStatement("ALTER TABLE `fastpath` ADD COLUMN IF NOT EXISTS `ratio` Nullable(Float64)", DdlStatement.Cost.INSTANT));
        assertThat(dialect.renameColumn(table, "_spare_float64_1", "ratio"))
                .isEqualTo(new DdlStatement("ALTER TABLE `fastpath` RENAME COLUMN IF EXISTS `_spare_float64_1` TO `ratio`", DdlStatement.Cost.PER_CHUNK));
        assertThat(dialect.dropColumn(table, "scores").cost()).isEqualTo(DdlStatement.Cost.PER_CHUNK);
        assertThat(dialect.changeColumnType(table, "page_len_ratio", FLOAT64))
                .isEqualTo(new DdlStatement("ALTER TABLE `fastpath` MODIFY COLUMN `page_len_ratio` Float64", DdlStatement.Cost.REWRITE));
    }

    @Test
    void viewsProjectPhysicalColumnsUnderLogicalNames() {
        assertThat(dialect.createOrReplaceView("default", "fastpath_v2", "fastpath",
                List.of(ViewColumn.same("report_id"), new ViewColumn("_spare_float64_1", "ratio"))).sql())
                .isEqualTo("CREATE OR REPLACE VIEW `default`.`fastpath_v2` AS SELECT `report_id`, `_spare_float64_1` AS `ratio` FROM `default`.`fastpath`"
                        + " COMMENT 'schema-evolution view of fastpath'");
        assertThatThrownBy(() -> dialect.createOrReplaceView(null, "v", "t", List.of(new ViewColumn("a", "b`; DROP"))))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_UNSAFE));
    }

    @Test
    void engineRulesAreCheckedBeforeRendering() {
        Table nullableKey = Table.builder("t").column("k", nullable(INT32))
                .clickHouse(ClickHouseOptions.builder().orderBy("k").build()).build();
        assertThatThrownBy(() -> dialect.createTable(nullableKey))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID);
                    assertThat(e.column()).contains("k");
                });
        Table badSign = Table.builder("t").column("s", INT32)
                .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.CollapsingMergeTree("s")).build()).build();
        assertThatThrownBy(() -> dialect.createTable(badSign))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
        Table badVersion = Table.builder("t").column("v", STRING)
                .clickHouse(ClickHouseOptions.builder().engine(new ClickHouseOptions.ReplacingMergeTree("v")).build()).build();
        assertThatThrownBy(() -> dialect.createTable(badVersion))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
        Table reserved = Table.builder("t").column("prewhere", INT32).build();
        assertThatThrownBy(() -> dialect.createTable(reserved))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_RESERVED);
                    assertThat(e.getMessage()).contains("clickhouse", "prewhere", "'t'");
                });
    }

    @Test
    void suspiciousTypesNeedTheirSettingInTheTable() {
        for (ColumnType type : List.of(fixedString(257), arrayOf(fixedString(65_535)), lowCardinality(fixedString(300)))) {
            Table table = Table.builder("t").column("f", type).build();
            assertThatThrownBy(() -> dialect.createTable(table))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
                        assertThat(e.column()).contains("f");
                        assertThat(e.getMessage()).contains("allow_suspicious_fixed_string_types", "256");
                    });
        }
        for (ColumnType type : List.of(lowCardinality(UINT8), lowCardinality(nullable(INT64)), lowCardinality(DATE),
                lowCardinality(DATETIME), lowCardinality(FLOAT64), arrayOf(lowCardinality(INT32)))) {
            Table table = Table.builder("t").column("l", type).build();
            assertThatThrownBy(() -> dialect.validate(table))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
                        assertThat(e.getMessage()).contains("allow_suspicious_low_cardinality_types", type.sql());
                    });
        }
        Table spares = Table.builder("t").column("a", INT32)
                .reserve(io.github.schemaevolution.api.model.ReservePolicy.builder().spares(lowCardinality(UINT16), 1).build()).build();
        assertThatThrownBy(() -> dialect.validate(spares))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED));
        for (ColumnType type : List.of(fixedString(256), lowCardinality(STRING), lowCardinality(nullable(fixedString(16))))) {
            dialect.validate(Table.builder("t").column("ok", type).build());
        }

        Table allowed = Table.builder("t").column("l", lowCardinality(UINT8)).column("f", fixedString(1_000))
                .clickHouse(ClickHouseOptions.builder().setting("allow_suspicious_low_cardinality_types", 1)
                        .setting("allow_suspicious_fixed_string_types", "true").build()).build();
        assertThat(dialect.createTable(allowed).get(0).sql())
                .endsWith("SETTINGS allow_suspicious_low_cardinality_types = 1, allow_suspicious_fixed_string_types = 'true'");
        // the engine applies the settings to the CREATE and does not keep them
        assertThat(dialect.canonical(allowed).clickHouse().settings()).containsOnlyKeys("index_granularity");
        Table disabled = allowed.toBuilder().clickHouse(ClickHouseOptions.builder()
                .setting("allow_suspicious_low_cardinality_types", 0).setting("allow_suspicious_fixed_string_types", 1).build()).build();
        assertThatThrownBy(() -> dialect.validate(disabled))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.column()).contains("l"));
    }

    @Test
    void altersAndViewsOfSuspiciousTypesCarryTheSetting() {
        Table plain = Table.builder("t").column("a", INT32).build();
        assertThatThrownBy(() -> dialect.addColumn(plain, Column.of("l", lowCardinality(UINT8))))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED);
                    assertThat(e.column()).contains("l");
                });
        assertThatThrownBy(() -> dialect.changeColumnType(plain, "a", fixedString(400)))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_UNSUPPORTED));
        // a live table holding such a column was created with the setting
        Table live = Table.builder("t").column("a", lowCardinality(UINT16))
                .clickHouse(ClickHouseOptions.builder().setting("allow_suspicious_low_cardinality_types", 1).build()).build();
        Table introspected = dialect.canonical(live);
        assertThat(dialect.addColumn(introspected, Column.of("b", lowCardinality(nullable(UINT32)))).sql())
                .isEqualTo("ALTER TABLE `t` ADD COLUMN IF NOT EXISTS `b` LowCardinality(Nullable(UInt32))"
                        + " SETTINGS allow_suspicious_low_cardinality_types = 1");
        assertThat(dialect.changeColumnType(introspected, "a", lowCardinality(UINT32)).sql())
                .isEqualTo("ALTER TABLE `t` MODIFY COLUMN `a` LowCardinality(UInt32) SETTINGS allow_suspicious_low_cardinality_types = 1");
        assertThat(dialect.createOrReplaceView(null, "t_v1", "t", List.of(ViewColumn.nullAs("gone", lowCardinality(UINT8)))).sql())
                .isEqualTo("CREATE OR REPLACE VIEW `t_v1` AS SELECT CAST(NULL AS LowCardinality(Nullable(UInt8))) AS `gone`"
                        + " FROM `t` SETTINGS allow_suspicious_low_cardinality_types = 1 COMMENT 'schema-evolution view of t'");
    }

    @Test
    void namesMustLeaveRoomForTheDroppedMetadataFile() {
        String longest = "t".repeat(ClickHouseDialect.MAX_NAME_BYTES - ClickHouseDialect.LOCK_PREFIX.length()
                - ClickHouseLock.BROKEN_INFIX.length() - 8);
        assertThat(ClickHouseDialect.MAX_NAME_BYTES).isEqualTo(206);
        dialect.validate(Table.builder(longest).column("a", INT32).build());
        assertThatThrownBy(() -> dialect.validate(Table.builder(longest + "t").column("a", INT32).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG);
                    assertThat(e.getMessage()).contains("schema_evolution_lock_");
                });
        assertThatThrownBy(() -> dialect.validate(Table.builder("t".repeat(207)).column("a", INT32).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG));
        String database = "d".repeat(30);
        assertThatThrownBy(() -> dialect.validate(Table.builder("t".repeat(170)).schema(database).column("a", INT32).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG);
                    assertThat(e.getMessage()).contains("table and database name together");
                });
        assertThatThrownBy(() -> dialect.createOrReplaceView(null, "v".repeat(207), "t", List.of(ViewColumn.same("a"))))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG));
    }

    @Test
    void typesMapToThemselvesAndBack() {
        for (ColumnType type : List.of(UINT64, decimal(38, 10), fixedString(16), dateTime64(9), arrayOf(arrayOf(INT8)),
                lowCardinality(nullable(STRING)), ColumnType.parse("Enum8('up' = 1, 'down' = -1)"))) {
            assertThat(dialect.modelType(dialect.typeSql(type))).isEqualTo(type);
        }
        assertThat(dialect.modelType("DateTime64(3, 'UTC')")).isEqualTo(dateTime64(3));
    }

    @Test
    void foundThroughServiceLoader() {
        assertThat(Dialects.forJdbcUrl("jdbc:clickhouse:http://localhost:8123/default")).isInstanceOf(ClickHouseDialect.class);
        assertThat(Dialects.byName("clickhouse")).isInstanceOf(ClickHouseDialect.class);
    }
}
