package io.github.schemaevolution.migrations;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ColumnDefault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationFilesTest {

    private static final String EVERY_CHANGE = """
            table: fastpath
            schema: analytics
            changes:
              - add: dns_time_ms
                type: Nullable(Float64)
                default: 0
                orNative: true
              - add: update_time
                type: DateTime64(3)
                defaultNow: true
                computed: materialized
              - add: cc_lower
                type: Nullable(String)
                defaultExpression: lower(probe_cc)
                computed: alias
              - drop: scores
              - rename: probe_cc
                to: country
              - widen: page_len
                type: Int64
              - retype: flag
                type: Nullable(String)
                using: toString({old})
                lossy: true
              - refill: Float64
                count: 3
                notNull: true
              - retire: 2
              - finalViews: true
              - absorb: hotfix
                type: Nullable(Float64)
              - publish: DR1
                policy: additive
            """;

    /** The same migration as the Java API builds it. */
    private static Migration expected(String id) {
        return Migration.builder(id, "fastpath").schema("analytics")
                .addOrNative("dns_time_ms", nullable(FLOAT64), ColumnDefault.literal(0))
                .add("update_time", dateTime64(3), ColumnDefault.now().materialized())
                .add("cc_lower", nullable(STRING), ColumnDefault.expression("lower(probe_cc)").alias())
                .drop("scores").rename("probe_cc", "country").widen("page_len", INT64)
                .retypeLossy("flag", nullable(STRING), "toString({old})").refillNotNull(FLOAT64, 3).retire(2)
                .finalViews(true).absorb("hotfix", nullable(FLOAT64))
                .publish("DR1", io.github.schemaevolution.api.evolution.ChangePolicy.ADDITIVE).build();
    }

    @Test
    void aFileReadsAsTheMigrationTheJavaApiBuildsWithItsChecksum() {
        Migration read = MigrationFiles.parse(EVERY_CHANGE, "2026-11-01-timings", "2026-11-01-timings.yaml");
        assertThat(read).isEqualTo(expected("2026-11-01-timings"));
        assertThat(read.checksum()).isEqualTo(expected("2026-11-01-timings").checksum());
    }

    @Test
    void jsonFilesAndExplicitIdsReadTheSame() {
        Migration read = MigrationFiles.parse("""
                {"id": "m1", "table": "fastpath", "changes": [{"drop": "scores"}, {"retire": 2}]}
                """, "ignored", "m1.json");
        assertThat(read).isEqualTo(Migration.builder("m1", "fastpath").drop("scores").retire(2).build());
    }

    @Test
    void aDirectoryIsReadInTheOrderOfItsFileNames(@TempDir Path directory) throws IOException {
        Files.writeString(directory.resolve("2026-11-02-second.yml"), "table: t\nchanges:\n  - drop: b\n");
        Files.writeString(directory.resolve("2026-11-01-first.yaml"), "table: t\nchanges:\n  - drop: a\n");
        Files.writeString(directory.resolve("README.md"), "not a migration");
        List<Migration> migrations = MigrationFiles.read(directory);
        assertThat(migrations).extracting(Migration::id).containsExactly("2026-11-01-first", "2026-11-02-second");
    }

    @Test
    void badFilesAreRefusedNamingTheFileTheChangeAndTheField() {
        refused("table: t\nchanges:\n  - drop: a\n    to: b\n", ErrorCode.MODEL_INVALID, "change 1 (drop)", "unknown field 'to'");
        refused("table: t\nchanges:\n  - drop: a\n    rename: b\n", ErrorCode.MODEL_INVALID, "change 1", "exactly one of");
        refused("changes:\n  - drop: a\n", ErrorCode.MODEL_INVALID, "needs table");
        refused("table: t\nchanges: []\n", ErrorCode.MODEL_INVALID, "non-empty list of changes");
        refused("table: t\ncolumns: 3\nchanges:\n  - drop: a\n", ErrorCode.MODEL_INVALID, "unknown field 'columns'");
        refused("table: t\nchanges:\n  - retire: two\n", ErrorCode.MODEL_INVALID, "whole number");
        refused("table: t\nchanges:\n  - add: x\n    type: Float65\n", ErrorCode.TYPE_INVALID);
        refused("table: t\nchanges:\n  - add: bad name\n    type: Int32\n", ErrorCode.IDENTIFIER_UNSAFE);
        refused("table: t\nchanges:\n  - add: x\n    type: Int32\n    default: 1\n    defaultNow: true\n", ErrorCode.MODEL_INVALID, "one of default");
        refused("table: [t\n", ErrorCode.MODEL_INVALID, "not YAML or JSON");
    }

    private static void refused(String text, ErrorCode code, String... messages) {
        assertThatThrownBy(() -> MigrationFiles.parse(text, "m", "m.yaml")).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            List.of(messages).forEach(message -> assertThat(e.getMessage()).contains(message));
        });
    }
}
