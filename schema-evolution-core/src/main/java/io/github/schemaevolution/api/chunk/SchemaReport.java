package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import java.util.List;
import java.util.Objects;

/**
 * Whether many tables that should share one schema do (the chunk tables of one logical table, or one
 * table on many hosts), as data: the expected columns, and each other schema found with the tables
 * that have it and how it differs, column by column, each difference marked allowed or not. A free
 * spare column that some tables have and others not yet (a refill done a subset at a time) is an
 * allowed difference. {@link #toString()} renders it for logs.
 *
 * @param subject  what the tables are, e.g. {@code Object_*}
 * @param expected the columns most tables have (or the ones asked for), in order
 * @param tables   how many tables were read
 * @param variants the other schemas found, most tables first
 */
public record SchemaReport(String subject, List<ColumnShape> expected, long tables, List<Variant> variants) {
    private static final int NAMED_IN_TEXT = 10;

    public SchemaReport {
        Objects.requireNonNull(subject, "subject");
        expected = List.copyOf(expected);
        variants = List.copyOf(variants);
    }

    /** A column as the catalog shows it: its name and the engine's type. */
    public record ColumnShape(String name, String type) {
        public ColumnShape {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return name + " " + type;
        }
    }

    /**
     * One way a column differs from the expected schema.
     *
     * @param expected the expected type (or position), {@code null} when the column is not expected
     * @param found    the type (or position) found, {@code null} when the column is missing
     * @param allowed  whether the difference is one that may stand, such as a free spare not added yet
     * @param why      what the difference is, in words
     */
    public record Difference(String column, String expected, String found, boolean allowed, String why) {
        @Override
        public String toString() {
            return column + ": " + why + (expected == null ? "" : ", expected " + expected) + (found == null ? "" : ", found " + found)
                    + (allowed ? " (allowed)" : "");
        }
    }

    /**
     * A schema other than the expected one.
     *
     * @param tables how many tables have it
     * @param named  some of them (all of them up to a bound), in the order they were read
     */
    public record Variant(List<ColumnShape> columns, long tables, List<String> named, List<Difference> differences) {
        public Variant {
            columns = List.copyOf(columns);
            named = List.copyOf(named);
            differences = List.copyOf(differences);
        }

        /** Whether every difference of this schema may stand. */
        public boolean allowed() {
            return differences.stream().allMatch(Difference::allowed);
        }
    }

    /** Whether every table has exactly the expected schema. */
    public boolean same() {
        return variants.isEmpty();
    }

    /** Whether every difference found may stand (free spares missing on some tables, say). */
    public boolean acceptable() {
        return variants.stream().allMatch(Variant::allowed);
    }

    /** How many tables have a schema whose differences may not stand. */
    public long tablesOff() {
        return variants.stream().filter(variant -> !variant.allowed()).mapToLong(Variant::tables).sum();
    }

    /**
     * @throws SchemaEvolutionException SCHEMA_DRIFT, with this report as its message, unless {@link #acceptable()}
     */
    public SchemaReport requireAcceptable() {
        if (!acceptable()) {
            throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, subject, null, toString(), null);
        }
        return this;
    }

    @Override
    public String toString() {
        if (same()) {
            return tables + " tables " + subject + " share one schema (" + expected.size() + " columns)";
        }
        StringBuilder text = new StringBuilder();
        text.append(tables - variants.stream().mapToLong(Variant::tables).sum()).append(" of ").append(tables)
                .append(" tables ").append(subject).append(" have the expected schema (").append(expected.size())
                .append(" columns); ").append(tablesOff()).append(" differ in ways that may not stand");
        for (Variant variant : variants) {
            text.append("\n  ").append(variant.tables()).append(variant.tables() == 1 ? " table " : " tables ")
                    .append(variant.allowed() ? "(allowed) " : "")
                    .append(variant.named().subList(0, Math.min(NAMED_IN_TEXT, variant.named().size())))
                    .append(variant.tables() > NAMED_IN_TEXT ? " and " + (variant.tables() - NAMED_IN_TEXT) + " more" : "")
                    .append(": ");
            List<Difference> differences = variant.differences();
            for (int i = 0; i < differences.size(); i++) {
                text.append(i == 0 ? "" : "; ").append(differences.get(i));
            }
        }
        return text.toString();
    }
}
