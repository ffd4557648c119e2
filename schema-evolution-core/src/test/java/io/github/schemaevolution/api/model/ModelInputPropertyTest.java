package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Change;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.ViewNaming;
import io.github.schemaevolution.internal.Texts;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.github.schemaevolution.api.model.ModelInputs.buildsOrRefuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile input through the public model, 12,000 seeded cases: every case builds, or is refused
 * with a coded SchemaEvolutionException; never another exception or error. What is built holds
 * no NUL and no unpaired surrogate.
 */
class ModelInputPropertyTest {
    private static final int CASES = 3_000;

    @Test
    void typeNotationsParseOrAreRefused() {
        ModelInputs inputs = new ModelInputs(1);
        for (int i = 0; i < CASES; i++) {
            String notation = inputs.typeString();
            try {
                ColumnType type = ColumnType.parse(notation);
                assertThat(ColumnType.parse(type.sql())).isEqualTo(type);
            } catch (SchemaEvolutionException e) {
                assertThat(e.code()).isIn(ErrorCode.TYPE_INVALID, ErrorCode.TEXT_INVALID);
            } catch (Throwable other) {
                throw new AssertionError("case " + i + ": ColumnType.parse threw " + other, other);
            }
        }
    }

    @Test
    void tablesBuildOrAreRefused() {
        ModelInputs inputs = new ModelInputs(2);
        int built = 0;
        for (int i = 0; i < CASES; i++) {
            ModelInputs.TableInput input = inputs.table();
            built += buildsOrRefuses("case " + i + ": " + input, () -> {
                Table table = input.build();
                assertThat(valid(table.comment())).isTrue();
                for (Column column : table.physicalColumns()) {
                    assertThat(valid(column.comment())).isTrue();
                    column.defaultOptional().ifPresent(d -> assertThat(valid(d.value().toString())).isTrue());
                }
                assertThat(table.toBuilder().build()).isEqualTo(table);
            }) ? 1 : 0;
        }
        // defaults are checked against their columns' types, so that only about one random table in twenty builds
        assertThat(built).as("tables built").isGreaterThan(CASES / 30);
    }

    @Test
    void migrationsBuildOrAreRefused() {
        ModelInputs inputs = new ModelInputs(3);
        for (int i = 0; i < CASES; i++) {
            String id = inputs.text();
            String table = inputs.identifier();
            String column = inputs.identifier();
            String other = inputs.identifier();
            String type = inputs.typeString();
            boolean built = buildsOrRefuses("case " + i, () -> {
                Migration migration = Migration.builder(id, table).add(column, ColumnType.INT32).drop(other)
                        .rename(column, other).widen(column, ColumnType.parse(type)).refill(ColumnType.INT8, 2).build();
                for (String line : migration.describe().split("\n")) {
                    Change.parse(line);
                }
                assertThat(migration.checksum()).hasSize(64);
            });
            if (built) {
                assertThat(valid(id)).isTrue();
            }
            buildsOrRefuses("case " + i, () -> Change.parse(column + " " + type));
        }
    }

    @Test
    void policiesNamingAndOptionsBuildOrAreRefused() {
        ModelInputs inputs = new ModelInputs(4);
        for (int i = 0; i < CASES; i++) {
            String prefix = inputs.identifier();
            String text = inputs.text();
            String type = inputs.typeString();
            String at = "case " + i;
            buildsOrRefuses(at, () -> ReservePolicy.builder().prefix(prefix).spares(ColumnType.parse(type), 3).build().spareColumns());
            buildsOrRefuses(at, () -> new ViewNaming(text, text).viewName(prefix, 3));
            buildsOrRefuses(at, () -> new ViewNaming(prefix + "{version}", null).latestName(text));
            buildsOrRefuses(at, () -> Column.of(text, ColumnType.STRING).withComment(text).withDefault(ColumnDefault.literal(text)));
            buildsOrRefuses(at, () -> ColumnDefault.expression(text));
            buildsOrRefuses(at, () -> ClickHouseOptions.builder().orderBy(text).primaryKey(text).setting(text, text)
                    .partitionBy(ClickHouseOptions.PartitionKey.of(text, text)).index(text, text, text, 1).build());
            buildsOrRefuses(at, () -> new ClickHouseOptions.SummingMergeTree(java.util.Arrays.asList(text, prefix)));
            buildsOrRefuses(at, () -> PostgresOptions.primaryKey(text).partitionBy(PostgresOptions.Strategy.HASH, text));
        }
    }

    @Test
    void nulAndLoneSurrogatesAreTextInvalidWhereverTheyGo() {
        for (String bad : new String[] {"a\0b", "a\uD800", "\uDC00a", "\uDE00\uD83D"}) {
            assertThatThrownBy(() -> Column.of("c", ColumnType.STRING).withComment(bad)).satisfies(textInvalid());
            assertThatThrownBy(() -> ColumnDefault.literal(bad)).satisfies(textInvalid());
            assertThatThrownBy(() -> ColumnDefault.expression(bad)).satisfies(textInvalid());
            assertThatThrownBy(() -> Table.builder("t").comment(bad).column("c", ColumnType.STRING).build()).satisfies(textInvalid());
            assertThatThrownBy(() -> Table.builder(bad).column("c", ColumnType.STRING).build()).satisfies(textInvalid());
            assertThatThrownBy(() -> Column.of(bad, ColumnType.STRING)).satisfies(textInvalid());
            assertThatThrownBy(() -> Migration.builder("2026-" + bad, "t").drop("c").build()).satisfies(textInvalid());
            assertThatThrownBy(() -> Migration.builder("m", "t").drop(bad).build()).satisfies(textInvalid());
            assertThatThrownBy(() -> ReservePolicy.builder().prefix(bad).build()).satisfies(textInvalid());
            assertThatThrownBy(() -> new ViewNaming(bad + "{version}", null)).satisfies(textInvalid());
            assertThatThrownBy(() -> ColumnType.parse("Enum8('" + bad + "' = 1)")).satisfies(textInvalid());
        }
        assertThat(Column.of("c", ColumnType.STRING).withComment("ok \uD83D\uDE00").comment()).isEqualTo("ok \uD83D\uDE00");
    }

    private static Consumer<Throwable> textInvalid() {
        return e -> assertThat(e).isInstanceOfSatisfying(SchemaEvolutionException.class,
                s -> assertThat(s.code()).isEqualTo(ErrorCode.TEXT_INVALID));
    }

    private static boolean valid(String text) {
        try {
            Texts.check(text, "text", null, null);
            return true;
        } catch (SchemaEvolutionException e) {
            return false;
        }
    }
}
