package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A named, ordered set of changes to one table, applied together as the table's next version.
 * The id is what makes re-runs safe: applying an id that was applied before is a no-op when the
 * content is the same and a CHECKSUM_MISMATCH when it is not.
 */
public record Migration(String id, String schema, String table, List<Change> changes) {

    public Migration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(table, "table");
        if (id.isBlank() || id.length() > 200) {
            throw new IllegalArgumentException("migration id must be 1..200 characters: '" + id + "'");
        }
        changes = List.copyOf(changes);
    }

    public static Builder builder(String id, String table) {
        return new Builder(id, table);
    }

    /** SHA-256 over the table and the canonical text of the changes; the id is not part of it. */
    public String checksum() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(((schema == null ? "" : schema) + "." + table + "\n" + describe()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The changes' canonical text, one per line. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        changes.forEach(change -> lines.add(change.describe()));
        return String.join("\n", lines);
    }

    public static final class Builder {
        private final String id;
        private final String table;
        private String schema;
        private final List<Change> changes = new ArrayList<>();

        private Builder(String id, String table) {
            this.id = id;
            this.table = table;
        }

        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        public Builder add(String name, ColumnType type) {
            return change(new Change.AddColumn(name, type, false));
        }

        /** Adds through the pool, or natively when the family's pool is empty. */
        public Builder addOrNative(String name, ColumnType type) {
            return change(new Change.AddColumn(name, type, true));
        }

        public Builder drop(String name) {
            return change(new Change.DropColumn(name));
        }

        public Builder rename(String from, String to) {
            return change(new Change.RenameColumn(from, to));
        }

        public Builder widen(String name, ColumnType to) {
            return change(new Change.WidenType(name, to));
        }

        public Builder refill(ColumnType family, int count) {
            return change(new Change.RefillPool(family, count));
        }

        public Builder change(Change change) {
            changes.add(Objects.requireNonNull(change, "change"));
            return this;
        }

        public Migration build() {
            return new Migration(id, schema, table, changes);
        }
    }
}
