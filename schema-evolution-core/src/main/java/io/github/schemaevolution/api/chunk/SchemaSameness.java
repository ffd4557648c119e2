package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.SchemaReport.ColumnShape;
import io.github.schemaevolution.api.chunk.SchemaReport.Difference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether many tables share one schema, gathered one table at a time: a count per distinct schema and
 * at most {@value #NAMED} names of each, so that 100,000 chunk tables cost a handful of entries. The
 * expected schema is the one asked for ({@link #expecting}) or else the one most tables have;
 * {@link #report()} gives the differences as data.
 */
public final class SchemaSameness {
    /** How many tables of each schema are named in a report. */
    public static final int NAMED = 1_000;

    /** Between two columns of a signature. */
    public static final String COLUMN_SEPARATOR = "\n";
    /** Between a column's name and its type in a signature. */
    public static final String TYPE_SEPARATOR = "\t";

    private final String subject;
    private final String sparePrefix;
    private final List<ColumnShape> expected;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<String, List<String>> names = new HashMap<>();

    /** @param subject what the tables are, for the report (e.g. {@code Object_*}) */
    public SchemaSameness(String subject) {
        this(subject, null, null);
    }

    private SchemaSameness(String subject, String sparePrefix, List<ColumnShape> expected) {
        this.subject = Objects.requireNonNull(subject, "subject");
        this.sparePrefix = sparePrefix;
        this.expected = expected == null ? null : List.copyOf(expected);
    }

    /** As this, where a column named with {@code prefix} (a spare) may be missing on some tables or extra on others. */
    public SchemaSameness allowingSpares(String prefix) {
        return new SchemaSameness(subject, Objects.requireNonNull(prefix, "prefix"), expected);
    }

    /** As this, comparing every table with {@code columns} rather than with the schema most tables have. */
    public SchemaSameness expecting(List<ColumnShape> columns) {
        return new SchemaSameness(subject, sparePrefix, columns);
    }

    /** The signature of {@code columns}: what {@link #add} takes. */
    public static String signature(List<ColumnShape> columns) {
        StringBuilder signature = new StringBuilder();
        for (ColumnShape column : columns) {
            signature.append(signature.length() == 0 ? "" : COLUMN_SEPARATOR).append(column.name()).append(TYPE_SEPARATOR)
                    .append(column.type());
        }
        return signature.toString();
    }

    /**
     * Records one table's schema signature: its columns in order, each its name, {@link #TYPE_SEPARATOR}
     * and its type, separated by {@link #COLUMN_SEPARATOR} (what the dialects' catalog queries build).
     */
    public void add(String table, String signature) {
        counts.merge(signature, 1L, Long::sum);
        List<String> named = names.computeIfAbsent(signature, k -> new ArrayList<>());
        if (named.size() < NAMED) {
            named.add(table);
        }
    }

    /** The differences found, as data. */
    public SchemaReport report() {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        if (counts.isEmpty()) {
            return new SchemaReport(subject, expected == null ? List.of() : expected, 0, List.of());
        }
        String reference = expected != null ? signature(expected)
                : counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<ColumnShape> wanted = parse(reference);
        List<SchemaReport.Variant> variants = new ArrayList<>();
        counts.entrySet().stream().filter(entry -> !entry.getKey().equals(reference))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .forEach(entry -> {
                    List<ColumnShape> found = parse(entry.getKey());
                    variants.add(new SchemaReport.Variant(found, entry.getValue(), names.get(entry.getKey()),
                            differences(wanted, found)));
                });
        return new SchemaReport(subject, wanted, total, variants);
    }

    /**
     * @throws SchemaEvolutionException SCHEMA_DRIFT naming the tables whose schema differs from the
     *         expected one, unless every difference may stand
     */
    public void check() {
        report().requireAcceptable();
    }

    private List<Difference> differences(List<ColumnShape> wanted, List<ColumnShape> found) {
        Map<String, Integer> wantedAt = positions(wanted);
        Map<String, Integer> foundAt = positions(found);
        List<Difference> differences = new ArrayList<>();
        for (ColumnShape column : wanted) {
            Integer at = foundAt.get(column.name());
            if (at == null) {
                boolean spare = isSpare(column.name());
                differences.add(new Difference(column.name(), column.type(), null, spare, spare
                        ? "a spare not added to these tables yet" : "missing"));
            } else if (!found.get(at).type().equals(column.type())) {
                differences.add(new Difference(column.name(), column.type(), found.get(at).type(), false, "another type"));
            }
        }
        for (ColumnShape column : found) {
            if (!wantedAt.containsKey(column.name())) {
                boolean spare = isSpare(column.name());
                differences.add(new Difference(column.name(), null, column.type(), spare, spare
                        ? "a spare the other tables do not have yet" : "not expected"));
            }
        }
        // the columns both have must come in the same order, spares aside: a refill adds spares at the end
        List<String> wantedOrder = wanted.stream().map(ColumnShape::name).filter(foundAt::containsKey).filter(n -> !isSpare(n)).toList();
        List<String> foundOrder = found.stream().map(ColumnShape::name).filter(wantedAt::containsKey).filter(n -> !isSpare(n)).toList();
        for (int i = 0; i < wantedOrder.size(); i++) {
            if (!wantedOrder.get(i).equals(foundOrder.get(i))) {
                differences.add(new Difference(foundOrder.get(i), "position " + (wantedAt.get(foundOrder.get(i)) + 1),
                        "position " + (foundAt.get(foundOrder.get(i)) + 1), false, "another position"));
                break;
            }
        }
        return differences;
    }

    private boolean isSpare(String column) {
        return sparePrefix != null && column.startsWith(sparePrefix);
    }

    private static Map<String, Integer> positions(List<ColumnShape> columns) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name(), i);
        }
        return positions;
    }

    private static List<ColumnShape> parse(String signature) {
        List<ColumnShape> columns = new ArrayList<>();
        if (signature.isEmpty()) {
            return columns;
        }
        for (String column : signature.split(COLUMN_SEPARATOR, -1)) {
            int tab = column.indexOf(TYPE_SEPARATOR);
            if (tab < 0) {
                throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, "a schema signature column without its type: "
                        + column);
            }
            columns.add(new ColumnShape(column.substring(0, tab), column.substring(tab + 1)));
        }
        return columns;
    }
}
