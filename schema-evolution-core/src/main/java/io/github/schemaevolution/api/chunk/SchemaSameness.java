package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether many chunk tables share one schema. Fed one (table, schema signature) pair at a time, it
 * keeps a count per distinct signature and at most {@value #NAMED} names of each, so that 100,000
 * chunk tables cost a handful of entries; the schema most tables have is taken as the intended one.
 */
public final class SchemaSameness {
    private static final int NAMED = 50;

    private final String chunks;
    private final Map<String, Long> counts = new HashMap<>();
    private final Map<String, List<String>> names = new HashMap<>();

    /** @param chunks what the tables are, for the message (e.g. {@code Object_*}) */
    public SchemaSameness(String chunks) {
        this.chunks = chunks;
    }

    /** Records one table's schema signature (its columns' names and types, in order, as one string). */
    public void add(String table, String signature) {
        counts.merge(signature, 1L, Long::sum);
        List<String> named = names.computeIfAbsent(signature, k -> new ArrayList<>());
        if (named.size() < NAMED) {
            named.add(table);
        }
    }

    /**
     * @throws SchemaEvolutionException SCHEMA_DRIFT naming the tables whose schema differs from the majority's
     */
    public void check() {
        if (counts.size() <= 1) {
            return;
        }
        String majority = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        StringBuilder odd = new StringBuilder();
        long oddCount = 0;
        for (Map.Entry<String, List<String>> entry : names.entrySet()) {
            if (!entry.getKey().equals(majority)) {
                oddCount += counts.get(entry.getKey());
                odd.append("\n  ").append(entry.getValue()).append(": ").append(entry.getKey());
            }
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, chunks, null, oddCount + " of " + total
                + " chunk tables differ from the schema of the others (" + majority + "):" + odd, null);
    }
}
