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

    /** Counts of one family. */
    public record Family(int free, int inUse) {
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
            Family before = families.getOrDefault(slot.family(), new Family(0, 0));
            families.put(slot.family(), slot.free() ? new Family(before.free() + 1, before.inUse())
                    : new Family(before.free(), before.inUse() + 1));
        }
        return new PoolStatus(families, version.slots().size());
    }

    public int free(ColumnType family) {
        Family counts = families.get(family.withoutNullable());
        return counts == null ? 0 : counts.free();
    }

    @Override
    public String toString() {
        return families.entrySet().stream()
                .map(e -> e.getKey().sql() + " " + e.getValue().free() + "/" + e.getValue().total() + " free")
                .collect(Collectors.joining(", ", "pool[", "]"));
    }
}
