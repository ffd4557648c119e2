package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;

import java.util.Objects;

/**
 * One schema change. Changes are values: two equal changes describe the same operation, and
 * {@link #describe()} is their canonical text, from which a {@link Migration}'s checksum is made.
 */
public sealed interface Change
        permits Change.AddColumn, Change.DropColumn, Change.RenameColumn, Change.WidenType, Change.RefillPool {

    /** Reads back {@link #describe()}: how an interrupted migration is resumed from its history entry. */
    static Change parse(String line) {
        String[] words = line.split(" ", 2);
        String rest = words.length > 1 ? words[1] : "";
        switch (words[0]) {
            case "add": {
                boolean nativeAdd = rest.endsWith(" allow-native");
                String body = nativeAdd ? rest.substring(0, rest.length() - " allow-native".length()) : rest;
                String[] parts = body.split(" ", 2);
                return new AddColumn(parts[0], ColumnType.parse(parts[1]), nativeAdd);
            }
            case "drop":
                return new DropColumn(rest);
            case "rename": {
                String[] parts = rest.split(" ");
                return new RenameColumn(parts[0], parts[1]);
            }
            case "widen": {
                String[] parts = rest.split(" ", 2);
                return new WidenType(parts[0], ColumnType.parse(parts[1]));
            }
            case "refill": {
                int space = rest.lastIndexOf(' ');
                return new RefillPool(ColumnType.parse(rest.substring(0, space)), Integer.parseInt(rest.substring(space + 1)));
            }
            default:
                throw new IllegalArgumentException("not a change: " + line);
        }
    }

    /** Canonical one-line text, stable across releases of the library (it is part of the checksum). */
    String describe();

    /** Whether the change touches data (clearing a dropped column, rewriting a retyped one) on some engine. */
    boolean touchesData();

    /**
     * Brings a free spare of the type's family into use under {@code name}. When no spare is free,
     * a native {@code ADD COLUMN} is used only if {@code allowNativeAdd}; otherwise planning fails
     * with POOL_EXHAUSTED before any DDL.
     */
    record AddColumn(String name, ColumnType type, boolean allowNativeAdd) implements Change {
        public AddColumn {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        public String describe() {
            return "add " + name + " " + type.sql() + (allowNativeAdd ? " allow-native" : "");
        }

        public boolean touchesData() {
            return false;
        }
    }

    /** Clears the column's data and returns its physical column to the pool. */
    record DropColumn(String name) implements Change {
        public DropColumn {
            Objects.requireNonNull(name, "name");
        }

        public String describe() {
            return "drop " + name;
        }

        public boolean touchesData() {
            return true;
        }
    }

    /** Renames a column as readers see it; engines with catalog-only renames rename it physically too. */
    record RenameColumn(String from, String to) implements Change {
        public RenameColumn {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        public String describe() {
            return "rename " + from + " " + to;
        }

        public boolean touchesData() {
            return false;
        }
    }

    /** Widens a column's type without loss (Float32 to Float64, Int32 to Int64, ...). */
    record WidenType(String name, ColumnType to) implements Change {
        public WidenType {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(to, "to");
        }

        public String describe() {
            return "widen " + name + " " + to.sql();
        }

        public boolean touchesData() {
            return true;
        }
    }

    /** Adds {@code count} new spares of {@code family} to the pool. */
    record RefillPool(ColumnType family, int count) implements Change {
        public RefillPool {
            Objects.requireNonNull(family, "family");
            family = family.withoutNullable();
            if (count < 1) {
                throw new IllegalArgumentException("refill count must be positive: " + count);
            }
        }

        public String describe() {
            return "refill " + family.sql() + " " + count;
        }

        public boolean touchesData() {
            return false;
        }
    }
}
