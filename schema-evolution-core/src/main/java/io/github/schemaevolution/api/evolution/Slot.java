package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;

import java.util.Objects;

/**
 * A physical column and its life in the pool. The {@code id} never changes (it is the column's
 * first physical name); the physical name may (PostgreSQL renames are catalog-only, so spares are
 * renamed into use there). {@code generation} grows every time the column is cleared and returned
 * to the pool: a view column that read generation 3 must not read generation 4.
 *
 * <p>{@code defaultValue} is the engine default (or MATERIALIZED expression) the column was given when
 * it came into use, removed again when it returns to the pool. {@code nullsReadAsDefault} marks a spare
 * that came into use as a non-Nullable column on an engine where its older rows still hold NULL
 * (PostgreSQL): views read those rows as the default, as the engine's own {@code ADD COLUMN} would show them.
 * {@code backfill} is set on the slot a phased retype brought into use, until the old column is retired.
 */
public record Slot(String id, String physicalName, ColumnType type, int generation, Use use, ColumnDefault defaultValue,
                   boolean nullsReadAsDefault, Backfill backfill) {

    /** What the physical column is doing. */
    public enum Use {
        /** An ordinary column that never was in the pool (created with the table, or added natively). */
        COLUMN,
        /** A pool column that holds a user column's data. */
        SPARE_IN_USE,
        /**
         * A dropped column, kept with its data for the versions that still map it (their readers and
         * pinned writers go on using it) until they are retired; then it is cleared and comes free.
         */
        RETAINED,
        /** A pool column holding nothing (NULL or the type's default), ready to be brought into use. */
        FREE,
        /**
         * A pool column a drop returned whose old data is still being removed, after the drop's
         * transaction (so that no reader waits for it); it comes back into use only once empty.
         */
        CLEARING
    }

    public Slot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(physicalName, "physicalName");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(use, "use");
        if (nullsReadAsDefault && defaultValue == null) {
            throw new IllegalArgumentException("slot " + id + " reads NULL as its default but has none");
        }
    }

    public Slot(String id, String physicalName, ColumnType type, int generation, Use use) {
        this(id, physicalName, type, generation, use, null, false, null);
    }

    public Slot(String id, String physicalName, ColumnType type, int generation, Use use, ColumnDefault defaultValue,
            boolean nullsReadAsDefault) {
        this(id, physicalName, type, generation, use, defaultValue, nullsReadAsDefault, null);
    }

    /** The same slot with {@code newBackfill} (or none). */
    Slot withBackfill(Backfill newBackfill) {
        return new Slot(id, physicalName, type, generation, use, defaultValue, nullsReadAsDefault, newBackfill);
    }

    /** The same slot with the engine default {@code value} (or none). */
    Slot withDefault(ColumnDefault value) {
        return new Slot(id, physicalName, type, generation, use, value, nullsReadAsDefault, backfill);
    }

    public boolean free() {
        return use == Use.FREE;
    }

    /**
     * The family a spare serves: its type as stored, Nullable or not ({@code Nullable(String)} and
     * {@code String} spares are different families where nullability is part of the stored type).
     */
    public ColumnType family() {
        return type;
    }

    /** In use as a column stored as {@code storedType}, with the engine default {@code value} (or none). */
    Slot inUse(String newPhysicalName, ColumnType storedType, ColumnDefault value, boolean readNullsAsDefault) {
        return new Slot(id, newPhysicalName, storedType, generation, Use.SPARE_IN_USE, value, readNullsAsDefault);
    }

    Slot returned(String newPhysicalName, ColumnType clearedType) {
        return new Slot(id, newPhysicalName, clearedType, generation + 1, Use.FREE);
    }

    /** Dropped from the newest version, kept for the older ones that map it. */
    Slot retained() {
        return new Slot(id, physicalName, type, generation, Use.RETAINED, defaultValue, nullsReadAsDefault, backfill);
    }

    /** Returned by a drop whose data is removed after the drop commits: not free until {@link #cleared()}. */
    Slot clearing(String newPhysicalName, ColumnType clearedType) {
        return new Slot(id, newPhysicalName, clearedType, generation + 1, Use.CLEARING);
    }

    /** A clearing slot whose data is gone. */
    Slot cleared() {
        return new Slot(id, physicalName, type, generation, Use.FREE);
    }

    Slot renamed(String newPhysicalName) {
        return new Slot(id, newPhysicalName, type, generation, use, defaultValue, nullsReadAsDefault, backfill);
    }

    Slot retyped(ColumnType newType) {
        return new Slot(id, physicalName, newType, generation, use, defaultValue, nullsReadAsDefault, backfill);
    }
}
