package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable snapshot of one version of a table: the columns readers see (in order) and every
 * physical column with its pool state. Recorded in the history table, so that the view of any
 * version can be rebuilt and the live schema can be checked against it. {@code finalViews} says that
 * the table's views read it with {@code FINAL} (a collapsing ClickHouse engine), see {@link Change.FinalViews}.
 */
public record SchemaVersion(String schema, String table, int version, String sparePrefix,
                            List<MappedColumn> columns, List<Slot> slots, boolean finalViews, List<Release> releases) {

    public SchemaVersion {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(sparePrefix, "sparePrefix");
        columns = List.copyOf(columns);
        slots = List.copyOf(slots);
        releases = List.copyOf(releases);
    }

    /** A version of a table that no release froze. */
    public SchemaVersion(String schema, String table, int version, String sparePrefix, List<MappedColumn> columns,
            List<Slot> slots, boolean finalViews) {
        this(schema, table, version, sparePrefix, columns, slots, finalViews, List.of());
    }

    /** A version whose views read the table as it is ({@code finalViews} false). */
    public SchemaVersion(String schema, String table, int version, String sparePrefix, List<MappedColumn> columns,
            List<Slot> slots) {
        this(schema, table, version, sparePrefix, columns, slots, false);
    }

    public Optional<MappedColumn> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public MappedColumn requireColumn(String name) {
        return column(name).orElseThrow(() -> new SchemaEvolutionException(ErrorCode.COLUMN_NOT_FOUND,
                display(), name, "no such column at version " + version, null));
    }

    public Slot slot(String id) {
        return slots.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("version " + version + " of " + display() + " has no slot " + id));
    }

    /** Every slot by its id, for callers that look up many: {@link #slot} looks through the list. */
    public Map<String, Slot> slotsById() {
        Map<String, Slot> byId = new java.util.HashMap<>();
        slots.forEach(slot -> byId.put(slot.id(), slot));
        return byId;
    }

    /** The physical column of each column, by its name, in column order: {@link #physicalName} for all at once. */
    public Map<String, String> physicalNames() {
        Map<String, Slot> byId = slotsById();
        Map<String, String> names = new LinkedHashMap<>();
        columns.forEach(column -> names.put(column.name(), byId.get(column.slot()).physicalName()));
        return names;
    }

    /** The physical column holding {@code logicalName}: what a writer inserts into. */
    public String physicalName(String logicalName) {
        return slot(requireColumn(logicalName).slot()).physicalName();
    }

    /** What a writer pinned to this version holds: its columns, their physical columns, an INSERT to prepare. */
    public WriterMapping writer() {
        return WriterMapping.of(this);
    }

    /** Every physical column the table must have at this version, with its type. */
    public Map<String, ColumnType> expectedPhysicalColumns() {
        Map<String, ColumnType> expected = new LinkedHashMap<>();
        slots.forEach(slot -> expected.put(slot.physicalName(), slot.type()));
        return expected;
    }

    /** Free spares stored as {@code family} exactly, in slot order. */
    public List<Slot> freeSlots(ColumnType family) {
        return slots.stream().filter(s -> s.free() && s.family().equals(family)).toList();
    }

    /** Spares a drop returned whose old data is still to be removed ({@link Slot.Use#CLEARING}). */
    public List<Slot> clearingSlots() {
        return slots.stream().filter(s -> s.use() == Slot.Use.CLEARING).toList();
    }

    /** This version with its {@link #clearingSlots()} free. */
    SchemaVersion cleared() {
        return new SchemaVersion(schema, table, version, sparePrefix, columns,
                slots.stream().map(s -> s.use() == Slot.Use.CLEARING ? s.cleared() : s).toList(), finalViews, releases);
    }

    /** This version with {@code changed} in place of the slot of its id. */
    SchemaVersion withSlot(Slot changed) {
        return new SchemaVersion(schema, table, version, sparePrefix, columns,
                slots.stream().map(s -> s.id().equals(changed.id()) ? changed : s).toList(), finalViews, releases);
    }

    /** A retype in progress, by the column's name at this version. */
    public record Retype(String column, String fromSlot, String toSlot, Phase phase) {
        /** Where a retype stands: waiting for its backfill, or for the versions that read the old column to retire. */
        public enum Phase { BACKFILL, CONTRACT }
    }

    /** The retypes in progress ({@link Change.RetypeColumn}) and their phase. */
    public List<Retype> retypes() {
        List<Retype> retypes = new ArrayList<>();
        for (MappedColumn column : columns) {
            Slot slot = slot(column.slot());
            if (slot.backfill() != null) {
                retypes.add(new Retype(column.name(), slot.backfill().fromSlot(), slot.id(),
                        slot.backfill().done() ? Retype.Phase.CONTRACT : Retype.Phase.BACKFILL));
            }
        }
        return retypes;
    }

    public PoolStatus pool() {
        return PoolStatus.of(this);
    }

    /** The columns as model columns, for readers (logical names and types). */
    public List<Column> logicalColumns() {
        List<Column> logical = new ArrayList<>();
        columns.forEach(c -> logical.add(Column.of(c.name(), c.type())));
        return logical;
    }

    /** The text stored in the history table; {@link #decode(String)} reads it back. */
    public String encode() {
        return VersionCodec.encode(this);
    }

    public static SchemaVersion decode(String text) {
        return VersionCodec.decode(text);
    }

    /**
     * The text stored in the history table as the changes from {@code previous}, an earlier version of
     * the table (in full when {@code previous} is {@code null}): its size follows the change, not the
     * width of the table. {@link #decode(String, SchemaVersion)} reads it back given the same version.
     */
    public String encode(SchemaVersion previous) {
        return VersionCodec.encode(this, previous);
    }

    /** Reads what {@link #encode(SchemaVersion)} or {@link #encode()} wrote; {@code previous} is the version it was made from. */
    public static SchemaVersion decode(String text, SchemaVersion previous) {
        return VersionCodec.decode(text, previous);
    }

    /**
     * Version 1 of a table found in the database: every column is itself, and every column whose
     * name starts with {@code sparePrefix} is a free spare.
     */
    public static SchemaVersion initial(String schema, String table, String sparePrefix, List<Column> physicalColumns) {
        List<MappedColumn> columns = new ArrayList<>();
        List<Slot> slots = new ArrayList<>();
        for (Column column : physicalColumns) {
            boolean spare = column.name().startsWith(sparePrefix);
            // a computed column (MATERIALIZED, ALIAS) keeps its kind, so that writers leave it out
            ColumnDefault computed = column.defaultOptional().filter(ColumnDefault::computed).orElse(null);
            slots.add(new Slot(column.name(), column.name(), column.type(), 0, spare ? Slot.Use.FREE : Slot.Use.COLUMN,
                    spare ? null : computed, false));
            if (!spare) {
                columns.add(new MappedColumn(column.name(), column.type(), column.name(), 0));
            }
        }
        return new SchemaVersion(schema, table, 1, sparePrefix, columns, slots);
    }

    /**
     * This version as the same version of {@code otherTable}, a table of the same columns: what a chunk
     * table of a {@link ChunkedTable} is at when the logical table is at this version.
     */
    public SchemaVersion forTable(String otherTable) {
        return new SchemaVersion(schema, otherTable, version, sparePrefix, columns, slots, finalViews, releases);
    }

    public String display() {
        return schema == null ? table : schema + "." + table;
    }

    SchemaVersion next(List<MappedColumn> newColumns, List<Slot> newSlots, boolean newFinalViews, List<Release> newReleases) {
        return new SchemaVersion(schema, table, version + 1, sparePrefix, newColumns, newSlots, newFinalViews, newReleases);
    }

    /** The release of this name, if the table published one. */
    public Optional<Release> release(String name) {
        return releases.stream().filter(release -> release.name().equals(name)).findFirst();
    }
}
