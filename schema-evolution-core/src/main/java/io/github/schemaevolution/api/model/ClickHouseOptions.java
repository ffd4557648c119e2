package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a table is laid out on ClickHouse: a MergeTree-family engine, its sorting key, optional
 * primary key (a prefix of the sorting key), partition key, data-skipping indexes and table
 * settings. Ignored by other dialects.
 */
public record ClickHouseOptions(Engine engine, List<String> orderBy, List<String> primaryKey,
                                PartitionKey partitionBy, List<SkippingIndex> indexes,
                                Map<String, String> settings, Replication replication) {

    /** {@code MergeTree ORDER BY tuple()}: what a table gets when nothing is said. */
    public static final ClickHouseOptions DEFAULT = builder().build();

    private static final Pattern SETTING_VALUE = Pattern.compile("-?[0-9]+(\\.[0-9]+)?|[A-Za-z0-9_]+");
    private static final Pattern FUNCTION = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    /** A replication path or replica name: letters, digits, {@code _ / . -} and macros such as {@code {shard}}. */
    private static final Pattern REPLICATION_TEXT = Pattern.compile("[A-Za-z0-9_/.{}-]+");
    private static final Pattern INDEX_TYPE = Pattern.compile("[a-zA-Z_]+(\\([0-9., ]*\\))?");

    /** A MergeTree-family engine. */
    public sealed interface Engine {
        /** Columns the engine itself names (version, sign, summed columns). */
        List<String> columns();
    }

    public record MergeTree() implements Engine {
        public List<String> columns() {
            return List.of();
        }
    }

    /** Keeps the row with the highest {@code version} (or the last inserted one when absent). */
    public record ReplacingMergeTree(String version) implements Engine {
        public ReplacingMergeTree {
            if (version != null) {
                Texts.name(version, "the version column of ReplacingMergeTree", null);
            }
        }

        public List<String> columns() {
            return version == null ? List.of() : List.of(version);
        }
    }

    /** Collapses row pairs whose {@code sign} (an Int8 column) is 1 and -1. */
    public record CollapsingMergeTree(String sign) implements Engine {
        public CollapsingMergeTree {
            Texts.name(sign, "the sign column of CollapsingMergeTree", null);
        }

        public List<String> columns() {
            return List.of(sign);
        }
    }

    /** Sums the given numeric columns (all numeric columns outside the key when empty). */
    public record SummingMergeTree(List<String> sumColumns) implements Engine {
        public SummingMergeTree {
            sumColumns = Texts.names(sumColumns, "SummingMergeTree");
        }

        public List<String> columns() {
            return sumColumns;
        }
    }

    /** {@code PARTITION BY column} or {@code PARTITION BY function(column)}, e.g. {@code toYYYYMM(day)}. */
    public record PartitionKey(String function, String column) {
        public PartitionKey {
            Texts.name(column, "the partition column", null);
            Texts.check(function, "partition function", null, column);
            if (function != null && !FUNCTION.matcher(function).matches()) {
                throw new SchemaEvolutionException(ErrorCode.EXPRESSION_UNSAFE, null, column,
                        "partition function '" + Texts.abbreviate(function, 120) + "' must be a plain function name", null);
            }
        }

        public static PartitionKey column(String column) {
            return new PartitionKey(null, column);
        }

        public static PartitionKey of(String function, String column) {
            return new PartitionKey(function, column);
        }
    }

    /** A data-skipping index over one column: {@code INDEX name column TYPE type GRANULARITY n}. */
    public record SkippingIndex(String name, String column, String type, int granularity) {
        public SkippingIndex {
            Texts.check(name, "index name", null, name);
            Texts.name(column, "the column of index " + Texts.abbreviate(name, 60), null);
            Texts.check(type, "index type", null, name);
            if (type == null || !INDEX_TYPE.matcher(type).matches()) {
                throw new SchemaEvolutionException(ErrorCode.EXPRESSION_UNSAFE, null, name,
                        "index type '" + Texts.abbreviate(type, 120) + "' must look like minmax, set(100) or bloom_filter(0.01)", null);
            }
            if (granularity < 1) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, null, name,
                        "index granularity must be at least 1", null);
            }
        }
    }

    /**
     * The engine made Replicated ({@code ReplicatedMergeTree} and the rest of the family): each replica keeps
     * its data, and a coordination service (ClickHouse Keeper, ZooKeeper) its parts and its DDL.
     *
     * @param zooKeeperPath the table's path in the coordination service, macros allowed
     *                      ({@code /clickhouse/tables/{shard}/{database}/{table}}); {@code null} with {@code replica}
     *                      {@code null} for the server's {@code default_replica_path} and {@code default_replica_name}
     * @param replica       the replica's name, usually the macro {@code {replica}}
     */
    public record Replication(String zooKeeperPath, String replica) {
        /** The server's default path and replica name. */
        public static final Replication SERVER_DEFAULTS = new Replication(null, null);

        public Replication {
            if ((zooKeeperPath == null) != (replica == null)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a replicated engine needs both its path and its"
                        + " replica name, or neither (the server's defaults)");
            }
            for (String text : java.util.Arrays.asList(zooKeeperPath, replica)) {
                Texts.check(text, "replication path or replica", null, null);
                if (text != null && !REPLICATION_TEXT.matcher(text).matches()) {
                    throw new SchemaEvolutionException(ErrorCode.EXPRESSION_UNSAFE, null, null, "replication path or replica '"
                            + Texts.abbreviate(text, 120) + "' may hold letters, digits, _ / . - and macros such as {shard}", null);
                }
            }
        }

        /** Whether the server's defaults name the path and the replica. */
        public boolean serverDefaults() {
            return zooKeeperPath == null;
        }
    }

    /** Options whose engine is not replicated. */
    public ClickHouseOptions(Engine engine, List<String> orderBy, List<String> primaryKey, PartitionKey partitionBy,
            List<SkippingIndex> indexes, Map<String, String> settings) {
        this(engine, orderBy, primaryKey, partitionBy, indexes, settings, null);
    }

    /** Whether the engine is replicated, and how. */
    public Optional<Replication> replicationOptional() {
        return Optional.ofNullable(replication);
    }

    /** These options with the engine replicated as {@code how} ({@code null}: not replicated). */
    public ClickHouseOptions withReplication(Replication how) {
        return new ClickHouseOptions(engine, orderBy, primaryKey, partitionBy, indexes, settings, how);
    }

    public ClickHouseOptions {
        if (engine == null) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "ClickHouse options need an engine");
        }
        orderBy = Texts.names(orderBy, "ORDER BY");
        primaryKey = Texts.names(primaryKey, "PRIMARY KEY");
        indexes = indexes == null ? List.of() : List.copyOf(nonNull(indexes, "a skipping index"));
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings == null ? Map.of() : settings));
        if (!primaryKey.isEmpty() && (primaryKey.size() > orderBy.size()
                || !orderBy.subList(0, primaryKey.size()).equals(primaryKey))) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID,
                    "ClickHouse PRIMARY KEY " + primaryKey + " must be a prefix of ORDER BY " + orderBy);
        }
        settings.forEach((key, value) -> {
            Texts.name(key, "setting name", null);
            Texts.check(value, "setting value", null, key);
            if (value == null || !SETTING_VALUE.matcher(value).matches()) {
                throw new SchemaEvolutionException(ErrorCode.EXPRESSION_UNSAFE, null, key,
                        "setting value '" + Texts.abbreviate(value, 120) + "' must be a number or a plain word", null);
            }
        });
    }

    private static <T> List<T> nonNull(List<T> items, String what) {
        if (items.stream().anyMatch(java.util.Objects::isNull)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, what + " is null");
        }
        return items;
    }

    private static List<String> listOf(String[] columns) {
        return columns == null ? List.of() : new ArrayList<>(Arrays.asList(columns));
    }

    public Optional<PartitionKey> partitionKey() {
        return Optional.ofNullable(partitionBy);
    }

    /** Every column these options refer to. */
    public List<String> referencedColumns() {
        List<String> names = new ArrayList<>(engine.columns());
        names.addAll(orderBy);
        names.addAll(primaryKey);
        if (partitionBy != null) {
            names.add(partitionBy.column());
        }
        indexes.forEach(index -> names.add(index.column()));
        return names;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Engine engine = new MergeTree();
        private List<String> orderBy = List.of();
        private List<String> primaryKey = List.of();
        private PartitionKey partitionBy;
        private final List<SkippingIndex> indexes = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Replication replication;

        public Builder engine(Engine engine) {
            this.engine = engine;
            return this;
        }

        public Builder orderBy(String... columns) {
            this.orderBy = listOf(columns);
            return this;
        }

        public Builder primaryKey(String... columns) {
            this.primaryKey = listOf(columns);
            return this;
        }

        public Builder partitionBy(PartitionKey key) {
            this.partitionBy = key;
            return this;
        }

        public Builder index(String name, String column, String type, int granularity) {
            indexes.add(new SkippingIndex(name, column, type, granularity));
            return this;
        }

        public Builder setting(String name, Object value) {
            settings.put(name, value == null ? null : String.valueOf(value));
            return this;
        }

        /** The engine replicated with the server's default path and replica name ({@code ReplicatedMergeTree()}). */
        public Builder replicated() {
            return replicated(Replication.SERVER_DEFAULTS);
        }

        /** The engine replicated under {@code zooKeeperPath} as {@code replica}; see {@link Replication}. */
        public Builder replicated(String zooKeeperPath, String replica) {
            return replicated(new Replication(zooKeeperPath, replica));
        }

        public Builder replicated(Replication how) {
            this.replication = how;
            return this;
        }

        public ClickHouseOptions build() {
            return new ClickHouseOptions(engine, orderBy, primaryKey, partitionBy, indexes, settings, replication);
        }
    }
}
