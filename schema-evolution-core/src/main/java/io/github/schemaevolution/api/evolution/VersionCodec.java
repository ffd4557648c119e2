package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnType;

import java.util.ArrayList;
import java.util.List;

/**
 * The text form of a {@link SchemaVersion} stored in the history table. Line based, one record a
 * line, fields separated by single spaces with the type last (types may contain spaces); names
 * are safe identifiers, so they never contain a space. The first line carries a format number so
 * that a later release can still read what an earlier one wrote.
 *
 * <p>A version is stored as its changes from the version before it ({@link #encode(SchemaVersion,
 * SchemaVersion)}): the lines of its text that differ from that version's, between runs of lines
 * kept or skipped, so that what the history holds per version follows the size of the change and
 * not the width of the table. Reading needs the version before, which the history reads first.
 */
final class VersionCodec {
    private static final String HEADER = "schema-evolution-version 1";
    private static final String NO_SCHEMA = "-";
    private static final String DELTA_HEADER = "schema-evolution-delta 1 ";
    private static final String KEEP = "= ";
    private static final String SKIP = "- ";
    private static final String ADD = "+ ";

    private VersionCodec() {
    }

    static String encode(SchemaVersion version) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("table ").append(version.schema() == null ? NO_SCHEMA : version.schema()).append(' ')
                .append(version.table()).append(' ').append(version.version()).append(' ')
                .append(version.sparePrefix()).append('\n');
        for (MappedColumn column : version.columns()) {
            text.append("column ").append(column.name()).append(' ').append(column.slot()).append(' ')
                    .append(column.generation()).append(' ').append(column.type().sql()).append('\n');
        }
        for (Slot slot : version.slots()) {
            text.append("slot ").append(slot.id()).append(' ').append(slot.physicalName()).append(' ')
                    .append(slot.generation()).append(' ').append(slot.use()).append(' ').append(slot.type().sql()).append('\n');
        }
        for (Slot slot : version.slots()) {
            if (slot.backfill() != null) {
                text.append("backfill ").append(slot.id()).append(' ').append(slot.backfill().fromSlot()).append(' ')
                        .append(slot.backfill().done() ? "done" : "pending").append(' ')
                        .append(DefaultToken.escape(slot.backfill().expression())).append('\n');
            }
        }
        if (version.finalViews()) {
            text.append("views final\n");
        }
        for (Release release : version.releases()) {
            text.append("release ").append(release.name()).append(' ').append(release.version()).append(' ')
                    .append(release.policy().label()).append('\n');
        }
        for (Slot slot : version.slots()) {
            if (slot.defaultValue() != null) {
                text.append("default ").append(slot.id()).append(' ').append(slot.nullsReadAsDefault() ? "reads-null-as-default" : "-")
                        .append(' ').append(DefaultToken.encode(slot.defaultValue())).append('\n');
            }
        }
        return text.toString();
    }

    /**
     * {@code version} as its changes from {@code previous} (an earlier version of the same table), or in
     * full when there is none or the changes would be no shorter.
     */
    static String encode(SchemaVersion version, SchemaVersion previous) {
        String full = encode(version);
        if (previous == null || previous.version() >= version.version() || !previous.table().equals(version.table())) {
            return full;
        }
        List<String> before = List.of(encode(previous).split("\n"));
        List<String> after = List.of(full.split("\n"));
        // where each line of the version before is, for lines found again further on
        java.util.Map<String, java.util.TreeSet<Integer>> positions = new java.util.HashMap<>();
        for (int i = 0; i < before.size(); i++) {
            positions.computeIfAbsent(before.get(i), line -> new java.util.TreeSet<>()).add(i);
        }
        StringBuilder delta = new StringBuilder(DELTA_HEADER).append(previous.version()).append('\n');
        int cursor = 0;
        int kept = 0;
        for (String line : after) {
            java.util.TreeSet<Integer> at = positions.get(line);
            Integer found = at == null ? null : at.ceiling(cursor);
            if (found == null) {
                kept = flush(delta, kept);
                delta.append(ADD).append(line).append('\n');
                continue;
            }
            if (found > cursor) {
                kept = flush(delta, kept);
                delta.append(SKIP).append(found - cursor).append('\n');
            }
            kept++;
            cursor = found + 1;
        }
        flush(delta, kept);
        return delta.length() < full.length() ? delta.toString() : full;
    }

    private static int flush(StringBuilder delta, int kept) {
        if (kept > 0) {
            delta.append(KEEP).append(kept).append('\n');
        }
        return 0;
    }

    /**
     * Reads what {@link #encode(SchemaVersion, SchemaVersion)} wrote: in full, or the changes from
     * {@code previous}, which must then be the version they were made from.
     */
    static SchemaVersion decode(String text, SchemaVersion previous) {
        return decode(text, previous, new java.util.HashMap<>());
    }

    /**
     * {@link #decode(String, SchemaVersion)} sharing {@code seen} (line to what it reads as) across the
     * versions of one history: a column or slot line that a later version keeps is read once, and the
     * versions share its object, so that a wide table's fifty versions hold about one version's objects.
     */
    static SchemaVersion decode(String text, SchemaVersion previous, java.util.Map<String, Object> seen) {
        if (!text.startsWith(DELTA_HEADER)) {
            return decode(text, seen);
        }
        String[] lines = text.split("\n");
        int base = Integer.parseInt(lines[0].substring(DELTA_HEADER.length()).trim());
        if (previous == null || previous.version() != base) {
            throw corrupt("the changes from version " + base + " follow " + (previous == null ? "no version"
                    : "version " + previous.version()));
        }
        String[] before = encode(previous).split("\n");
        StringBuilder full = new StringBuilder();
        int cursor = 0;
        for (int i = 1; i < lines.length; i++) {
            String op = lines[i];
            if (op.startsWith(ADD)) {
                full.append(op, ADD.length(), op.length()).append('\n');
            } else if (op.startsWith(SKIP)) {
                cursor += Integer.parseInt(op.substring(SKIP.length()));
            } else if (op.startsWith(KEEP)) {
                int count = Integer.parseInt(op.substring(KEEP.length()));
                if (cursor + count > before.length) {
                    throw corrupt("the changes from version " + base + " keep lines it does not have");
                }
                for (int k = 0; k < count; k++) {
                    full.append(before[cursor++]).append('\n');
                }
            } else if (!op.isEmpty()) {
                throw corrupt("bad change line: " + op);
            }
        }
        return decode(full.toString(), seen);
    }

    static SchemaVersion decode(String text) {
        return decode(text, new java.util.HashMap<>());
    }

    private static SchemaVersion decode(String text, java.util.Map<String, Object> seen) {
        String[] lines = text.split("\n");
        if (lines.length < 2 || !lines[0].equals(HEADER)) {
            throw corrupt("unknown format: " + (lines.length == 0 ? "" : lines[0]));
        }
        String[] table = lines[1].split(" ", 5);
        if (table.length != 5 || !table[0].equals("table")) {
            throw corrupt("bad table line: " + lines[1]);
        }
        List<MappedColumn> columns = new ArrayList<>();
        List<Slot> slots = new ArrayList<>();
        boolean finalViews = false;
        List<Release> releases = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("column ")) {
                MappedColumn column = (MappedColumn) seen.get(line);
                if (column == null) {
                    String[] f = line.split(" ", 5);
                    column = new MappedColumn(f[1], type(f[4], seen), f[2], Integer.parseInt(f[3]));
                    seen.put(line, column);
                }
                columns.add(column);
            } else if (line.startsWith("slot ")) {
                Slot slot = (Slot) seen.get(line);
                if (slot == null) {
                    String[] f = line.split(" ", 6);
                    slot = new Slot(f[1], f[2], type(f[5], seen), Integer.parseInt(f[3]), Slot.Use.valueOf(f[4]));
                    seen.put(line, slot);
                }
                slots.add(slot);
            } else if (line.startsWith("backfill ")) {
                String[] f = line.split(" ", 5);
                Slot slot = slots.stream().filter(s -> s.id().equals(f[1])).findFirst().orElseThrow(() -> corrupt("backfill of no slot: " + line));
                slots.set(slots.indexOf(slot), slot.withBackfill(new Backfill(f[2], DefaultToken.unescape(f[4]), f[3].equals("done"))));
            } else if (line.equals("views final")) {
                finalViews = true;
            } else if (line.startsWith("release ")) {
                String[] f = line.split(" ");
                if (f.length != 4) {
                    throw corrupt("bad release line: " + line);
                }
                releases.add(new Release(f[1], Integer.parseInt(f[2]), ChangePolicy.of(f[3])));
            } else if (line.startsWith("default ")) {
                String[] f = line.split(" ", 4);
                Slot slot = slots.stream().filter(s -> s.id().equals(f[1])).findFirst().orElseThrow(() -> corrupt("default of no slot: " + line));
                slots.set(slots.indexOf(slot), new Slot(slot.id(), slot.physicalName(), slot.type(), slot.generation(), slot.use(),
                        DefaultToken.decode(f[3]), f[2].equals("reads-null-as-default"), slot.backfill()));
            } else if (!line.isEmpty()) {
                throw corrupt("bad line: " + line);
            }
        }
        return new SchemaVersion(table[1].equals(NO_SCHEMA) ? null : table[1], table[2], Integer.parseInt(table[3]),
                table[4], columns, slots, finalViews, releases);
    }

    /** A type as written, parsed once per history read: a wide table repeats a few types. */
    private static ColumnType type(String sql, java.util.Map<String, Object> seen) {
        return (ColumnType) seen.computeIfAbsent("type " + sql, key -> ColumnType.parse(sql));
    }

    private static SchemaEvolutionException corrupt(String what) {
        return new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, "cannot read a recorded schema version: " + what);
    }
}
