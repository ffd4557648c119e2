package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.nullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A version is stored as its change from the version before: its size follows the change, not the width. */
class VersionDeltaTest {

    /** {@code width} plain columns and {@code spares} free Float64 spares. */
    private static SchemaVersion wide(int width, int spares) {
        List<MappedColumn> columns = new ArrayList<>();
        List<Slot> slots = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
            columns.add(new MappedColumn("c" + i, i % 2 == 0 ? STRING : INT64, "c" + i, 0));
            slots.add(new Slot("c" + i, "c" + i, i % 2 == 0 ? STRING : INT64, 0, Slot.Use.COLUMN));
        }
        for (int i = 1; i <= spares; i++) {
            slots.add(new Slot("_spare_float64_" + i, "_spare_float64_" + i, nullable(FLOAT64), 0, Slot.Use.FREE));
        }
        return new SchemaVersion(null, "wide", 1, "_spare_", columns, slots);
    }

    /** {@code version}, one version on, with spare {@code spare} in use as column {@code name}. */
    private static SchemaVersion withAdd(SchemaVersion version, int spare, String name) {
        List<MappedColumn> columns = new ArrayList<>(version.columns());
        String id = "_spare_float64_" + spare;
        columns.add(new MappedColumn(name, nullable(FLOAT64), id, 1));
        List<Slot> slots = new ArrayList<>();
        for (Slot slot : version.slots()) {
            slots.add(slot.id().equals(id) ? new Slot(id, id, nullable(FLOAT64), 1, Slot.Use.SPARE_IN_USE) : slot);
        }
        return new SchemaVersion(null, version.table(), version.version() + 1, "_spare_", columns, slots);
    }

    @Test
    void anAddToAWideTableIsStoredAsTheLinesItChanges() {
        SchemaVersion first = wide(1_296, 64);
        SchemaVersion second = withAdd(first, 7, "latecomer");

        String full = second.encode();
        String delta = second.encode(first);

        assertThat(full.length()).isGreaterThan(50_000);
        assertThat(delta.length()).isLessThan(300);
        assertThat(SchemaVersion.decode(delta, first)).isEqualTo(second);
        // the same change on a narrow table takes about as many bytes
        SchemaVersion narrow = wide(10, 64);
        assertThat(withAdd(narrow, 7, "latecomer").encode(narrow).length()).isBetween(delta.length() - 40, delta.length() + 40);
    }

    @Test
    void aPublishedReleaseIsStoredAsOneLineAndCarriedOn() {
        SchemaVersion first = wide(200, 4);
        SchemaVersion second = withAdd(first, 1, "a");
        SchemaVersion published = new SchemaVersion(second.schema(), second.table(), 3, second.sparePrefix(),
                second.columns(), second.slots(), false, List.of(new Release("DR1.b", 3, ChangePolicy.ADDITIVE)));

        String delta = published.encode(second);
        assertThat(delta.lines().filter(line -> line.contains("release"))).containsExactly("+ release DR1.b 3 additive");
        assertThat(SchemaVersion.decode(delta, second)).isEqualTo(published);
        assertThat(SchemaVersion.decode(published.encode())).isEqualTo(published);
    }

    @Test
    void aChangeIsReadOnlyAfterTheVersionItWasMadeFrom() {
        SchemaVersion first = wide(20, 4);
        SchemaVersion second = withAdd(first, 1, "a");
        SchemaVersion third = withAdd(second, 2, "b");
        String delta = third.encode(second);

        assertThatThrownBy(() -> SchemaVersion.decode(delta, first)).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTROSPECTION_FAILED));
        assertThatThrownBy(() -> SchemaVersion.decode(delta, null)).isInstanceOf(SchemaEvolutionException.class);
        // a version stored in full reads without one
        assertThat(SchemaVersion.decode(third.encode(null), null)).isEqualTo(third);
    }

    @Test
    void theVersionsOfAHistoryShareTheColumnsTheyHaveInCommonAndAReadTakesWhatTheLastOneDecoded() {
        SchemaVersion first = wide(1_296, 8);
        SchemaVersion second = withAdd(first, 1, "a");
        SchemaVersion third = withAdd(second, 2, "b");
        StateChain chain = StateChain.of("delta_test", "shared");
        SchemaVersion one = chain.next(first.encode(null));
        SchemaVersion two = chain.next(second.encode(first));
        chain.remember();

        assertThat(two).isEqualTo(second);
        assertThat(two.columns().get(1_000)).isSameAs(one.columns().get(1_000));
        // the next read of the same history: what it read before is taken as it was, the new entry decoded
        StateChain again = StateChain.of("delta_test", "shared");
        assertThat(again.next(first.encode(null))).isSameAs(one);
        assertThat(again.next(second.encode(first))).isSameAs(two);
        assertThat(again.next(third.encode(second))).isEqualTo(third);
        // another history of the same name, from its first entry on: nothing is taken from the first one
        StateChain other = StateChain.of("delta_test", "shared");
        SchemaVersion narrow = wide(10, 8);
        assertThat(other.next(narrow.encode(null))).isEqualTo(narrow);
        assertThat(other.next(withAdd(narrow, 1, "a").encode(narrow))).isEqualTo(withAdd(narrow, 1, "a"));
    }

    /** Seeded, so that a failing case is reproduced from its seed. */
    @Test
    void everyChainOfRandomChangesReadsBack() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            SchemaVersion previous = wide(1 + random.nextInt(40), random.nextInt(6));
            for (int step = 0; step < 6; step++) {
                SchemaVersion next = mutate(previous, random);
                assertThat(SchemaVersion.decode(next.encode(previous), previous)).as("seed %d, step %d", seed, step)
                        .isEqualTo(next);
                previous = next;
            }
        }
    }

    /** The next version with columns dropped, renamed, retyped, moved and added at random. */
    private static SchemaVersion mutate(SchemaVersion version, Random random) {
        List<MappedColumn> columns = new ArrayList<>(version.columns());
        List<Slot> slots = new ArrayList<>(version.slots());
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int what = random.nextInt(5);
            if (what == 0 && !columns.isEmpty()) {
                columns.remove(random.nextInt(columns.size()));
            } else if (what == 1 && !columns.isEmpty()) {
                int at = random.nextInt(columns.size());
                MappedColumn column = columns.get(at);
                columns.set(at, new MappedColumn(column.name() + "_r", column.type(), column.slot(), column.generation()));
            } else if (what == 2 && !slots.isEmpty()) {
                int at = random.nextInt(slots.size());
                Slot slot = slots.get(at);
                ColumnType type = random.nextBoolean() ? STRING : nullable(INT64);
                slots.set(at, new Slot(slot.id(), slot.physicalName(), type, slot.generation() + 1, Slot.Use.values()[
                        random.nextInt(Slot.Use.values().length)]));
            } else if (what == 3 && columns.size() > 1) {
                columns.add(columns.remove(random.nextInt(columns.size())));
            } else {
                String name = "n" + version.version() + "_" + i;
                columns.add(random.nextInt(columns.size() + 1), new MappedColumn(name, FLOAT64, name, 0));
                slots.add(new Slot(name, name, FLOAT64, 0, Slot.Use.COLUMN));
            }
        }
        return new SchemaVersion(null, version.table(), version.version() + 1, "_spare_", columns, slots);
    }
}
