package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How many spares each family has and how many are free, and how many physical columns the table
 * has (PostgreSQL caps a table at 1,600 column numbers, dropped columns included).
 */
public record PoolStatus(Map<ColumnType, Family> families, int physicalColumns) {

    /**
     * Counts of one family.
     *
     * @param inUse    spares holding a column, of the current version or of older ones
     * @param retained of {@code inUse}, those holding a dropped column for older versions (or being
     *                 cleared): they come free when those versions are retired
     */
    public record Family(int free, int inUse, int retained) {
        public int total() {
            return free + inUse;
        }
    }

    public PoolStatus {
        families = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(families));
    }

    static PoolStatus of(SchemaVersion version) {
        Map<ColumnType, Family> families = new LinkedHashMap<>();
        for (Slot slot : version.slots()) {
            if (slot.use() == Slot.Use.COLUMN) {
                continue;
            }
            Family before = families.getOrDefault(slot.family(), new Family(0, 0, 0));
            boolean held = slot.use() == Slot.Use.RETAINED || slot.use() == Slot.Use.CLEARING;
            families.put(slot.family(), slot.free() ? new Family(before.free() + 1, before.inUse(), before.retained())
                    : new Family(before.free(), before.inUse() + 1, before.retained() + (held ? 1 : 0)));
        }
        return new PoolStatus(families, version.slots().size());
    }

    /** Free spares stored as {@code family} exactly: {@code Nullable(String)} and {@code String} spares are counted apart. */
    public int free(ColumnType family) {
        Family counts = families.get(family);
        return counts == null ? 0 : counts.free();
    }

    /** Spares of the family held by dropped columns until the versions that map them are retired. */
    public int retained(ColumnType family) {
        Family counts = families.get(family);
        return counts == null ? 0 : counts.retained();
    }

    @Override
    public String toString() {
        return families.entrySet().stream()
                .map(e -> e.getKey().sql() + " " + e.getValue().free() + "/" + e.getValue().total() + " free"
                        + (e.getValue().retained() == 0 ? "" : " (" + e.getValue().retained() + " retained for old versions)"))
                .collect(Collectors.joining(", ", "pool[", "]"));
    }
}
