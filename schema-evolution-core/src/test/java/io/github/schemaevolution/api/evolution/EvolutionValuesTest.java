package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;

class EvolutionValuesTest {

    @Test
    void losslessWideningsKeepTheirWrappers() {
        assertThat(TypeWidening.widen(FLOAT32, FLOAT64)).contains(FLOAT64);
        assertThat(TypeWidening.widen(nullable(INT32), INT64)).contains(nullable(INT64));
        assertThat(TypeWidening.widen(lowCardinality(UINT8), UINT16)).contains(lowCardinality(UINT16));
        assertThat(TypeWidening.widen(UINT32, INT64)).contains(INT64);
        assertThat(TypeWidening.widen(INT16, FLOAT32)).contains(FLOAT32);
        assertThat(TypeWidening.widen(INT32, FLOAT64)).contains(FLOAT64);
        assertThat(TypeWidening.widen(decimal(10, 2), decimal(12, 3))).contains(decimal(12, 3));
        assertThat(TypeWidening.widen(DATETIME, dateTime64(3))).contains(dateTime64(3));
    }

    @Test
    void lossyChangesAreNotWidenings() {
        for (ColumnType[] pair : new ColumnType[][]{{FLOAT64, FLOAT32}, {INT64, INT32}, {INT32, FLOAT32},
                {INT64, FLOAT64}, {INT32, UINT64}, {UINT32, INT32}, {decimal(10, 2), decimal(10, 3)},
                {STRING, INT32}, {INT32, INT32}, {dateTime64(6), dateTime64(3)}}) {
            assertThat(TypeWidening.widen(pair[0], pair[1])).as(pair[0].sql() + " -> " + pair[1].sql()).isEmpty();
        }
    }

    @Test
    void versionsSurviveTheirTextForm() {
        SchemaVersion version = new SchemaVersion("analytics", "fastpath", 7, "_spare_",
                List.of(new MappedColumn("ratio", nullable(FLOAT64), "_spare_float64_1", 2),
                        new MappedColumn("cc", lowCardinality(STRING), "cc", 0)),
                List.of(new Slot("_spare_float64_1", "ratio", nullable(FLOAT64), 2, Slot.Use.SPARE_IN_USE),
                        new Slot("cc", "cc", lowCardinality(STRING), 0, Slot.Use.COLUMN),
                        new Slot("_spare_decimal_18_4_1", "_spare_decimal_18_4_1", nullable(decimal(18, 4)), 0, Slot.Use.FREE),
                        new Slot("e", "e", ColumnType.parse("Enum8('a b' = 1, 'c' = 2)"), 1, Slot.Use.COLUMN)));
        assertThat(SchemaVersion.decode(version.encode())).isEqualTo(version);
        SchemaVersion noSchema = new SchemaVersion(null, "t", 1, "_spare_", List.of(), List.of());
        assertThat(SchemaVersion.decode(noSchema.encode())).isEqualTo(noSchema);
    }

    @Test
    void changesSurviveTheirDescription() {
        List<Change> changes = List.of(new Change.AddColumn("ratio", decimal(18, 4), true),
                new Change.AddColumn("x", nullable(FLOAT64), false), new Change.DropColumn("scores"),
                new Change.RenameColumn("a", "b"), new Change.WidenType("page_len", INT64),
                new Change.RefillPool(lowCardinality(STRING), 3));
        for (Change change : changes) {
            assertThat(Change.parse(change.describe())).isEqualTo(change);
        }
    }

    @Test
    void checksumFollowsContentNotId() {
        Migration a = Migration.builder("one", "t").add("x", FLOAT64).drop("y").build();
        Migration sameContent = Migration.builder("two", "t").add("x", FLOAT64).drop("y").build();
        Migration otherContent = Migration.builder("one", "t").add("x", FLOAT32).drop("y").build();
        assertThat(a.checksum()).isEqualTo(sameContent.checksum()).hasSize(64);
        assertThat(a.checksum()).isNotEqualTo(otherContent.checksum());
        assertThat(a.describe()).isEqualTo("add x Float64\ndrop y");
    }

    @Test
    void initialVersionTreatsPrefixedColumnsAsFreeSpares() {
        SchemaVersion first = SchemaVersion.initial(null, "t", "_spare_", List.of(Column.of("id", INT64),
                Column.of("_spare_float64_1", nullable(FLOAT64)), Column.of("_spare_float64_2", nullable(FLOAT64))));
        assertThat(first.columns()).extracting(MappedColumn::name).containsExactly("id");
        assertThat(first.pool().free(nullable(FLOAT64))).isEqualTo(2);
        assertThat(first.pool().free(FLOAT64)).as("non-Nullable spares are another family").isZero();
        assertThat(first.freeSlots(nullable(FLOAT64))).extracting(Slot::physicalName).containsExactly("_spare_float64_1", "_spare_float64_2");
        assertThat(first.physicalName("id")).isEqualTo("id");
        assertThat(first.pool().toString()).isEqualTo("pool[Nullable(Float64) 2/2 free]");
    }

    @Test
    void addsWithDefaultsReadBackFromTheirText() {
        List<Change> changes = List.of(
                new Change.AddColumn("update_time", io.github.schemaevolution.api.model.ColumnType.dateTime64(3),
                        io.github.schemaevolution.api.model.ColumnDefault.now().materialized(), false),
                new Change.AddColumn("label", STRING, io.github.schemaevolution.api.model.ColumnDefault.literal("a b%c\nd"), true),
                new Change.AddColumn("score", FLOAT64, io.github.schemaevolution.api.model.ColumnDefault.expression("rand() / 2"), false),
                new Change.RefillPool(STRING, 3, true));
        for (Change change : changes) {
            assertThat(Change.parse(change.describe())).isEqualTo(change);
            assertThat(change.describe()).doesNotContain("\n");
        }
        assertThat(changes.get(0).describe()).isEqualTo("add update_time MATERIALIZED=now DateTime64(3)");
        assertThat(changes.get(3).describe()).isEqualTo("refill String 3 not-null");
    }

    @Test
    void slotDefaultsSurviveTheRecordedText() {
        Slot withDefault = new Slot("_spare_string_1", "label", STRING, 2, Slot.Use.SPARE_IN_USE,
                io.github.schemaevolution.api.model.ColumnDefault.literal("n/a x"), true);
        SchemaVersion version = new SchemaVersion("s", "t", 3, "_spare_", List.of(new MappedColumn("label", STRING, "_spare_string_1", 2)),
                List.of(withDefault, new Slot("id", "id", INT64, 0, Slot.Use.COLUMN)));
        assertThat(SchemaVersion.decode(version.encode())).isEqualTo(version);
    }
}
