package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a live table differs from the version its history says it is at. */
public record SchemaDiff(String table, int version, List<String> missing, List<String> extra, List<String> mistyped) {

    public SchemaDiff {
        missing = List.copyOf(missing);
        extra = List.copyOf(extra);
        mistyped = List.copyOf(mistyped);
    }

    /** Compares expected physical columns (name to type) with the live ones. */
    public static SchemaDiff of(String table, int version, Map<String, ColumnType> expected, Map<String, ColumnType> live) {
        List<String> missing = new ArrayList<>();
        List<String> mistyped = new ArrayList<>();
        expected.forEach((name, type) -> {
            ColumnType actual = live.get(name);
            if (actual == null) {
                missing.add(name + " " + type.sql());
            } else if (!actual.equals(type)) {
                mistyped.add(name + " is " + actual.sql() + ", expected " + type.sql());
            }
        });
        List<String> extra = new ArrayList<>();
        live.forEach((name, type) -> {
            if (!expected.containsKey(name)) {
                extra.add(name + " " + type.sql());
            }
        });
        return new SchemaDiff(table, version, missing, extra, mistyped);
    }

    public boolean isEmpty() {
        return missing.isEmpty() && extra.isEmpty() && mistyped.isEmpty();
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return table + " matches version " + version;
        }
        return table + " differs from version " + version + ": missing " + missing + ", extra " + extra
                + ", mistyped " + mistyped;
    }
}
