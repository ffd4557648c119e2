package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.Dialects;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.PostgresOptions.Strategy;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.DdlStatement.Cost;
import io.github.schemaevolution.spi.ViewColumn;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class PostgresDialectTest {
    private static final String SPARE = "'reserved spare column (schema-evolution)'";

    private final PostgresDialect dialect = new PostgresDialect();

    @Test
    void isFoundByNameAndJdbcUrl() {
        assertThat(Dialects.byName("postgresql")).isInstanceOf(PostgresDialect.class);
        assertThat(Dialects.forJdbcUrl("jdbc:postgresql://db.example:5432/measurements?ssl=true"))
                .isInstanceOf(PostgresDialect.class);
        assertThat(dialect.acceptsJdbcUrl("jdbc:postgresql:measurements")).isTrue();
        assertThat(dialect.acceptsJdbcUrl("jdbc:clickhouse://localhost:8123")).isFalse();
        assertThat(dialect.acceptsJdbcUrl("jdbc:pgsql://localhost/db")).isFalse();
        assertThat(dialect.acceptsJdbcUrl(null)).isFalse();
    }

    @Test
    void statesItsCapabilities() {
        assertThat(dialect.capabilities()).containsExactlyInAnyOrder(Capability.TRANSACTIONAL_DDL,
                Capability.METADATA_ONLY_RENAME, Capability.VIEWS_FOLLOW_RENAMES, Capability.ADVISORY_LOCKS,
                Capability.ALTER_TYPE_BLOCKED_BY_VIEWS, Capability.IDEMPOTENT_ALTER);
        assertThat(dialect.has(Capability.EXCHANGE_TABLES)).isFalse();
        assertThat(dialect.has(Capability.VIEWS_REPLACE_ANY_SHAPE)).isFalse();
    }

    @Test
    void rendersFastpath() {
        List<DdlStatement> statements = dialect.createTable(Fastpath.model());

        assertThat(statements.get(0).sql()).isEqualTo("""
                CREATE TABLE "fastpath" (
                    "measurement_uid" text NOT NULL,
                    "report_id" text NOT NULL,
                    "input" text NOT NULL,
                    "probe_cc" text NOT NULL,
                    "probe_asn" integer NOT NULL,
                    "test_name" text NOT NULL,
                    "test_start_time" timestamp(0) without time zone NOT NULL,
                    "measurement_start_time" timestamp(0) without time zone NOT NULL,
                    "filename" text NOT NULL,
                    "scores" text NOT NULL,
                    "platform" text NOT NULL,
                    "anomaly" text NOT NULL,
                    "confirmed" text NOT NULL,
                    "msm_failure" text NOT NULL,
                    "domain" text NOT NULL,
                    "software_name" text NOT NULL,
                    "software_version" text NOT NULL,
                    "control_failure" text NOT NULL,
                    "blocking_general" real NOT NULL,
                    "is_ssl_expected" smallint NOT NULL,
                    "page_len" integer NOT NULL,
                    "page_len_ratio" real NOT NULL,
                    "server_cc" text NOT NULL,
                    "server_asn" smallint NOT NULL,
                    "server_as_name" text NOT NULL,
                    "update_time" timestamp(3) without time zone DEFAULT LOCALTIMESTAMP NOT NULL,
                    "test_version" text NOT NULL,
                    "architecture" text NOT NULL,
                    "engine_name" text NOT NULL,
                    "engine_version" text NOT NULL,
                    "test_runtime" real NOT NULL,
                    "blocking_type" text NOT NULL,
                    "test_helper_address" text NOT NULL,
                    "test_helper_type" text NOT NULL,
                    "_spare_float32_1" real,
                    "_spare_float32_2" real,
                    "_spare_float32_3" real,
                    "_spare_float64_1" double precision,
                    "_spare_float64_2" double precision,
                    "_spare_float64_3" double precision,
                    "_spare_int32_1" integer,
                    "_spare_int32_2" integer,
                    "_spare_int32_3" integer,
                    "_spare_int64_1" bigint,
                    "_spare_int64_2" bigint,
                    "_spare_int64_3" bigint,
                    "_spare_string_1" text,
                    "_spare_string_2" text,
                    PRIMARY KEY ("measurement_uid")
                )""");
        assertThat(statements.subList(1, statements.size())).extracting(DdlStatement::sql).containsExactly(
                "COMMENT ON TABLE \"fastpath\" IS 'Output of the fastpath measurement pipeline'",
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float32_1\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float32_2\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float32_3\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float64_1\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float64_2\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_float64_3\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int32_1\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int32_2\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int32_3\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int64_1\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int64_2\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_int64_3\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_string_1\" IS " + SPARE,
                "COMMENT ON COLUMN \"fastpath\".\"_spare_string_2\" IS " + SPARE);
        assertThat(statements).extracting(DdlStatement::cost).containsOnly(Cost.INSTANT);
    }

    @Test
    void rendersSchemaDefaultsCommentsCompositeKeyAndPartitioning() {
        Table table = Table.builder("events").schema("analytics").comment("it's a table")
                .column(Column.of("day", ColumnType.DATE).withDefault(ColumnDefault.now()))
                .column(Column.of("id", ColumnType.INT64).withComment("row id, 'unique' per day"))
                .column(Column.of("retries", ColumnType.INT8).withDefault(ColumnDefault.literal(-1)))
                .column(Column.of("ratio", ColumnType.decimal(10, 2)).withDefault(ColumnDefault.literal("0.50")))
                .column(Column.of("ok", ColumnType.BOOL).withDefault(ColumnDefault.literal(true)))
                .column(Column.of("note", ColumnType.nullable(ColumnType.STRING)).withDefault(ColumnDefault.literal("it's")))
                .column(Column.of("path", ColumnType.STRING).withDefault(ColumnDefault.literal("C:\\tmp")))
                .column(Column.of("seen", ColumnType.dateTime64(6)).withDefault(ColumnDefault.now().materialized()))
                .column(Column.of("token", ColumnType.UUID).withDefault(ColumnDefault.expression("gen_random_uuid()")))
                .column(Column.of("tags", ColumnType.arrayOf(ColumnType.STRING)))
                .postgres(PostgresOptions.primaryKey("day", "id").partitionBy(Strategy.RANGE, "day"))
                .build();

        List<DdlStatement> statements = dialect.createTable(table);

        assertThat(statements).extracting(DdlStatement::sql).containsExactly("""
                CREATE TABLE "analytics"."events" (
                    "day" date DEFAULT CURRENT_DATE NOT NULL,
                    "id" bigint NOT NULL,
                    "retries" smallint DEFAULT -1 NOT NULL,
                    "ratio" numeric(10,2) DEFAULT 0.50 NOT NULL,
                    "ok" boolean DEFAULT TRUE NOT NULL,
                    "note" text DEFAULT 'it''s',
                    "path" text DEFAULT E'C:\\\\tmp' NOT NULL,
                    "seen" timestamp(6) without time zone DEFAULT LOCALTIMESTAMP NOT NULL,
                    "token" uuid DEFAULT gen_random_uuid() NOT NULL,
                    "tags" text[] NOT NULL,
                    PRIMARY KEY ("day", "id")
                )
                PARTITION BY RANGE ("day")""",
                "COMMENT ON TABLE \"analytics\".\"events\" IS 'it''s a table'",
                "COMMENT ON COLUMN \"analytics\".\"events\".\"id\" IS 'row id, ''unique'' per day'");
    }

    @Test
    void canonicalFormIsHowPostgresStoresTheTable() {
        Table canonical = dialect.canonical(Fastpath.model());

        assertThat(canonical.column("probe_cc").orElseThrow().type()).isEqualTo(ColumnType.STRING);
        assertThat(canonical.column("is_ssl_expected").orElseThrow().type()).isEqualTo(ColumnType.INT16);
        assertThat(canonical.column("update_time").orElseThrow().defaultValue()).isEqualTo(ColumnDefault.now());
        assertThat(canonical.clickHouse()).isEqualTo(ClickHouseOptions.DEFAULT);
        assertThat(canonical.postgres()).isEqualTo(Fastpath.model().postgres());
        assertThat(canonical.reserve()).isEqualTo(Fastpath.reserve());
        assertThat(canonical.comment()).isEqualTo(Fastpath.model().comment());
        assertThat(dialect.canonical(canonical)).isEqualTo(canonical);
    }

    @Test
    void spareFamiliesThatFoldIntoOneTypeAreMerged() {
        Table table = Table.builder("t").column("id", ColumnType.INT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.INT8, 2).spares(ColumnType.UINT64, 1)
                        .notNullSpares(ColumnType.INT16, 1).build())
                .build();

        Table canonical = dialect.canonical(table);

        assertThat(canonical.reserve().families()).extracting(ReservePolicy.Family::type, ReservePolicy.Family::count)
                .containsExactly(tuple(ColumnType.INT16.orNullable(), 3), tuple(ColumnType.decimal(20, 0).orNullable(), 1));
        assertThat(dialect.createTable(table).get(0).sql())
                .contains("\"_spare_int16_1\" smallint,", "\"_spare_int16_3\" smallint,", "\"_spare_decimal_20_0_1\" numeric(20,0)\n");
    }

    @Test
    void arraySparesAreNullableLikeEveryOtherSpare() {
        Table table = Table.builder("t").column("id", ColumnType.INT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.arrayOf(ColumnType.INT32), 1).build()).build();

        assertThat(dialect.createTable(table).get(0).sql()).contains("\"_spare_array_int32_1\" integer[]\n");
    }

    @Test
    void rendersViewsOverTheTable() {
        DdlStatement view = dialect.createOrReplaceView("analytics", "fastpath_v2", "fastpath",
                List.of(ViewColumn.same("measurement_uid"), new ViewColumn("_spare_float32_1", "latency")));

        assertThat(view.sql()).isEqualTo("CREATE OR REPLACE VIEW \"analytics\".\"fastpath_v2\" AS SELECT"
                + " \"measurement_uid\", \"_spare_float32_1\" AS \"latency\""
                + " FROM \"analytics\".\"fastpath\"");
        assertThat(view.cost()).isEqualTo(Cost.INSTANT);
        assertThat(dialect.dropView(null, "fastpath_v2").sql()).isEqualTo("DROP VIEW IF EXISTS \"fastpath_v2\"");
        assertThat(dialect.dropTable(null, "fastpath").sql()).isEqualTo("DROP TABLE IF EXISTS \"fastpath\"");
    }

    @Test
    void viewsCastColumnsAndShowRecycledOnesAsTypedNull() {
        DdlStatement view = dialect.createOrReplaceView(null, "fastpath_v1", "fastpath", List.of(
                new ViewColumn("page_len", "page_len", ColumnType.INT32),
                ViewColumn.nullAs("latency", ColumnType.FLOAT32)));

        assertThat(view.sql()).isEqualTo("CREATE OR REPLACE VIEW \"fastpath_v1\" AS SELECT"
                + " CAST(\"page_len\" AS integer) AS \"page_len\", CAST(NULL AS real) AS \"latency\" FROM \"fastpath\"");
    }

    @Test
    void clearsAColumnForThePoolWithoutItsDefaultOrNotNull() {
        List<DdlStatement> clear = dialect.clearColumn(Fastpath.model(), "update_time", ColumnType.dateTime64(3));

        assertThat(clear).extracting(DdlStatement::sql, DdlStatement::cost).containsExactly(
                tuple("ALTER TABLE \"fastpath\" ALTER COLUMN \"update_time\" DROP DEFAULT,"
                        + " ALTER COLUMN \"update_time\" DROP NOT NULL", Cost.INSTANT),
                tuple("UPDATE \"fastpath\" SET \"update_time\" = NULL WHERE \"update_time\" IS NOT NULL", Cost.REWRITE));
        assertThat(dialect.clearedType(ColumnType.lowCardinality(ColumnType.STRING))).isEqualTo(ColumnType.nullable(ColumnType.STRING));
        assertThat(dialect.clearedType(ColumnType.UINT8)).isEqualTo(ColumnType.nullable(ColumnType.INT16));
    }

    @Test
    void retriesLockTimeoutsDeadlocksAndSerializationFailuresOnly() {
        assertThat(dialect.isTransient(new SQLException("canceling statement due to lock timeout", "55P03"))).isTrue();
        assertThat(dialect.isTransient(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(dialect.isTransient(new SQLException("wrapped", "XX000", new SQLException("could not serialize", "40001")))).isTrue();
        assertThat(dialect.isTransient(new SQLException("relation exists", "42P07"))).isFalse();
        assertThat(dialect.isTransient(new SQLException("no state"))).isFalse();
    }

    @Test
    void rendersColumnChangesWithTheirCost() {
        Table table = Fastpath.model();

        assertThat(List.of(
                dialect.addColumn(table, Column.of("latency", ColumnType.nullable(ColumnType.FLOAT64))),
                dialect.addColumn(table, Column.of("retries", ColumnType.INT32).withDefault(ColumnDefault.literal(0))),
                dialect.addColumn(table, Column.of("seen", ColumnType.DATETIME).withDefault(ColumnDefault.now())),
                dialect.addColumn(table, Column.of("token", ColumnType.UUID).withDefault(ColumnDefault.expression("gen_random_uuid()"))),
                dialect.renameColumn(table, "_spare_float32_1", "latency"),
                dialect.dropColumn(table, "scores")))
                .extracting(DdlStatement::sql, DdlStatement::cost)
                .containsExactly(
                        tuple("ALTER TABLE \"fastpath\" ADD COLUMN IF NOT EXISTS \"latency\" double precision", Cost.INSTANT),
                        tuple("ALTER TABLE \"fastpath\" ADD COLUMN IF NOT EXISTS \"retries\" integer DEFAULT 0 NOT NULL", Cost.INSTANT),
                        tuple("ALTER TABLE \"fastpath\" ADD COLUMN IF NOT EXISTS \"seen\" timestamp(0) without time zone"
                                + " DEFAULT LOCALTIMESTAMP NOT NULL", Cost.INSTANT),
                        tuple("ALTER TABLE \"fastpath\" ADD COLUMN IF NOT EXISTS \"token\" uuid DEFAULT gen_random_uuid() NOT NULL",
                                Cost.REWRITE),
                        tuple("ALTER TABLE \"fastpath\" RENAME COLUMN \"_spare_float32_1\" TO \"latency\"", Cost.INSTANT),
                        tuple("ALTER TABLE \"fastpath\" DROP COLUMN IF EXISTS \"scores\"", Cost.INSTANT));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource(delimiter = '|', textBlock = """
            page_len         | Int64              | ALTER COLUMN "page_len" TYPE bigint                                                | REWRITE
            blocking_general | Float64            | ALTER COLUMN "blocking_general" TYPE double precision                              | REWRITE
            is_ssl_expected  | Int16              | ALTER COLUMN "is_ssl_expected" TYPE smallint                                       | INSTANT
            probe_cc         | Nullable(String)   | ALTER COLUMN "probe_cc" TYPE text, ALTER COLUMN "probe_cc" DROP NOT NULL           | INSTANT
            test_start_time  | DateTime64(3)      | ALTER COLUMN "test_start_time" TYPE timestamp(3) without time zone                 | INSTANT
            _spare_int32_1   | Int32              | ALTER COLUMN "_spare_int32_1" TYPE integer, ALTER COLUMN "_spare_int32_1" SET NOT NULL | REWRITE
            _spare_int32_2   | Nullable(Int64)    | ALTER COLUMN "_spare_int32_2" TYPE bigint                                          | REWRITE
            """)
    void changesColumnTypesWithTheCostPostgresPays(String column, String type, String action, Cost cost) {
        DdlStatement statement = dialect.changeColumnType(Fastpath.model(), column, ColumnType.parse(type));

        assertThat(statement.sql()).isEqualTo("ALTER TABLE \"fastpath\" " + action);
        assertThat(statement.cost()).isEqualTo(cost);
    }
}
