package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.internal.Texts;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

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
 *
 * <p>The id is any text of 1..{@value #MAX_ID_LENGTH} characters without NUL or unpaired
 * surrogates (an engine would store such an id altered, and a re-run would no longer find it);
 * the table and schema follow the model's identifier rules. Refusals are IDENTIFIER_EMPTY,
 * TEXT_INVALID, MODEL_INVALID and the identifier codes, raised when the migration is built.
 */
public record Migration(String id, String schema, String table, List<Change> changes) {

    /** The longest migration id, in UTF-16 characters. */
    public static final int MAX_ID_LENGTH = 200;

    public Migration {
        if (id == null || id.isBlank()) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_EMPTY, table, null, "migration id is empty", null);
        }
        Texts.check(id, "migration id", table, null);
        if (id.length() > MAX_ID_LENGTH) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, null, "migration id '"
                    + Texts.abbreviate(id, 60) + "' must be 1.." + MAX_ID_LENGTH + " characters", null);
        }
        Texts.check(table, "table name", table, null);
        IdentifierRules.NEUTRAL.check(Kind.TABLE, null, table);
        if (schema != null) {
            Texts.check(schema, "schema name", table, null);
            IdentifierRules.NEUTRAL.check(Kind.SCHEMA, table, schema);
        }
        if (changes == null || changes.stream().anyMatch(Objects::isNull)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, null,
                    "migration '" + Texts.abbreviate(id, 60) + "' holds a null change", null);
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

        /** Adds through the pool, as {@code type} exactly (Nullable or not). */
        public Builder add(String name, ColumnType type) {
            return change(new Change.AddColumn(name, type, false));
        }

        /** Adds through the pool with an engine default or MATERIALIZED expression ({@link Change.AddColumn}). */
        public Builder add(String name, ColumnType type, io.github.schemaevolution.api.model.ColumnDefault defaultValue) {
            return change(new Change.AddColumn(name, type, defaultValue, false));
        }

        /** Adds through the pool, or natively when the family's pool is empty. */
        public Builder addOrNative(String name, ColumnType type) {
            return change(new Change.AddColumn(name, type, true));
        }

        /** Adds through the pool, or natively when the family's pool is empty, with a default. */
        public Builder addOrNative(String name, ColumnType type, io.github.schemaevolution.api.model.ColumnDefault defaultValue) {
            return change(new Change.AddColumn(name, type, defaultValue, true));
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

        /** Retires the versions up to {@code upToVersion} (see {@link Change.RetireVersions}). */
        public Builder retire(int upToVersion) {
            return change(new Change.RetireVersions(upToVersion));
        }

        /** Publishes the version this migration makes as {@code release}, whose {@code policy} later changes must meet. */
        public Builder publish(String release, ChangePolicy policy) {
            return change(new Change.Publish(release, policy));
        }

        public Builder refill(ColumnType family, int count) {
            return change(new Change.RefillPool(family, count));
        }

        /**
         * Retypes in phases ({@link Change.RetypeColumn}): {@code expression} converts the old column, written
         * {@code {old}}, to {@code to}; refused when the change can lose values.
         */
        public Builder retype(String name, ColumnType to, String expression) {
            return change(new Change.RetypeColumn(name, to, expression, false));
        }

        /** {@link #retype}, accepting that the conversion may lose or alter values. */
        public Builder retypeLossy(String name, ColumnType to, String expression) {
            return change(new Change.RetypeColumn(name, to, expression, true));
        }

        /** Records a column made or retyped outside the library ({@link Change.AbsorbColumn}). */
        public Builder absorb(String name, ColumnType type) {
            return change(new Change.AbsorbColumn(name, type));
        }

        /** Makes the table's views read it with {@code FINAL} ({@link Change.FinalViews}). */
        public Builder finalViews(boolean on) {
            return change(new Change.FinalViews(on));
        }

        /** Adds {@code count} non-Nullable spares of {@code family}. */
        public Builder refillNotNull(ColumnType family, int count) {
            return change(new Change.RefillPool(family, count, true));
        }

        public Builder change(Change change) {
            if (change == null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, null, "a change is null", null);
            }
            changes.add(change);
            return this;
        }

        public Migration build() {
            return new Migration(id, schema, table, changes);
        }
    }
}
