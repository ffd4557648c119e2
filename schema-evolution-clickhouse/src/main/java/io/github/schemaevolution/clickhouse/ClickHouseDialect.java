package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ClickHouseOptions.CollapsingMergeTree;
import io.github.schemaevolution.api.model.ClickHouseOptions.Engine;
import io.github.schemaevolution.api.model.ClickHouseOptions.MergeTree;
import io.github.schemaevolution.api.model.ClickHouseOptions.ReplacingMergeTree;
import io.github.schemaevolution.api.model.ClickHouseOptions.SummingMergeTree;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;
import io.github.schemaevolution.spi.SpareUse;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.ViewColumn;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ClickHouse (MergeTree family). The model's type notation is ClickHouse's own, so type mapping
 * is the identity; what this dialect adds is the table layout (engine, keys, indexes, settings)
 * and the cost of each ALTER on this engine, where renaming, dropping and retyping a column are
 * mutations over every data part rather than catalog changes.
 */
public final class ClickHouseDialect implements Dialect {

    /**
     * Table and database names together: an Atomic database moves a dropped table's metadata to
     * {@code metadata_dropped/<database>.<table>.<uuid>.sql}, one file name of at most 255 bytes, so a
     * longer table can be created but never dropped (and CREATE OR REPLACE VIEW, which drops, fails).
     * Found on ClickHouse 26.7, which itself refuses longer names in databases other than {@code default}.
     */
    static final int MAX_TABLE_AND_DATABASE_BYTES = 255 - ".".length() * 2 - 36 - ".sql".length();

    /**
     * The longest name in the {@code default} database (206 bytes). Column names are held to it too,
     * although the engine keeps longer ones (it hashes long column file names).
     */
    static final int MAX_NAME_BYTES = MAX_TABLE_AND_DATABASE_BYTES - "default".length();

    /** The migration lock of a table is the table {@code schema_evolution_lock_<table>} ({@link ClickHouseHistory}). */
    static final String LOCK_PREFIX = "schema_evolution_lock_";

    /** The start of the comment of every view the library makes, followed by its table's name ({@link Capability#MARKED_VIEWS}). */
    static final String VIEW_MARK = "schema-evolution view of ";

    /** The longest FixedString ClickHouse creates without {@code allow_suspicious_fixed_string_types}. */
    static final int MAX_PLAIN_FIXED_STRING = 256;

    private static final IdentifierRules IDENTIFIERS = new IdentifierRules("clickhouse", MAX_NAME_BYTES,
            Set.of("alias", "materialized", "ephemeral", "final", "prewhere", "sample", "settings", "format",
                    "interval", "global", "ilike"), '`');

    private static final String INDEX_GRANULARITY = "index_granularity";
    private static final String DEFAULT_INDEX_GRANULARITY = "8192";

    private static final Set<Capability> CAPABILITIES =
            EnumSet.of(Capability.EXCHANGE_TABLES, Capability.IDEMPOTENT_ALTER, Capability.VIEWS_REPLACE_ANY_SHAPE,
                    Capability.NULLABLE_IS_STORED, Capability.FINAL_VIEWS, Capability.MARKED_VIEWS);

    /** The cluster every DDL statement runs on, or {@code null} for the node the connection reaches. */
    private final ClickHouseCluster cluster;

    /** The dialect for one node (or a Replicated database): DDL runs where the connection runs it. */
    public ClickHouseDialect() {
        this(null);
    }

    private ClickHouseDialect(ClickHouseCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * The dialect whose DDL runs {@code ON CLUSTER}: tables and views, and the library's history, lock and
     * checkpoint tables (replicated, so that every node reads the same history). See {@link ClickHouseCluster}.
     */
    public static ClickHouseDialect onCluster(ClickHouseCluster cluster) {
        return new ClickHouseDialect(java.util.Objects.requireNonNull(cluster, "cluster"));
    }

    /** The cluster this dialect's DDL runs on, if any. */
    public java.util.Optional<ClickHouseCluster> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    /** The dialect's one identifier path. */
    static IdentifierRules identifierRules() {
        return IDENTIFIERS;
    }

    /** {@code ON CLUSTER <name>} where this dialect has a cluster; nothing otherwise. */
    String onCluster() {
        return cluster == null ? "" : cluster.clause();
    }

    /** On a cluster, refuses a session without the settings that make a statement wait for every node. */
    @Override
    public void prepareDdl(java.sql.Connection connection, java.time.Duration lockTimeout) throws java.sql.SQLException {
        if (cluster != null) {
            cluster.requireSettings(connection);
        }
    }

    @Override
    public String name() {
        return "clickhouse";
    }

    @Override
    public boolean acceptsJdbcUrl(String jdbcUrl) {
        return jdbcUrl != null && (jdbcUrl.startsWith("jdbc:clickhouse:") || jdbcUrl.startsWith("jdbc:ch:"));
    }

    @Override
    public IdentifierRules identifiers() {
        return IDENTIFIERS;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String typeSql(ColumnType type) {
        return type.sql();
    }

    @Override
    public ColumnType modelType(String engineType) {
        return ColumnType.parse(engineType);
    }

    /**
     * Checks names (the table's and its migration lock's must fit {@link #MAX_NAME_BYTES}, with the
     * database {@link #MAX_TABLE_AND_DATABASE_BYTES}), types the engine calls suspicious unless the
     * table's settings enable them ({@link Suspicious}), keys that cannot be Nullable and the
     * engines' sign and version columns.
     */
    @Override
    public void validate(Table table) {
        IDENTIFIERS.check(Kind.TABLE, null, table.name());
        if (table.schema() != null) {
            IDENTIFIERS.check(Kind.SCHEMA, table.name(), table.schema());
        }
        checkTableName(table.schema(), table.name(), Kind.TABLE, table.name());
        // the longest name the library derives from a table's: its migration lock's break marker
        checkTableName(table.schema(), LOCK_PREFIX + table.name() + ClickHouseLock.BROKEN_INFIX + "00000000", Kind.TABLE,
                table.name());
        for (Column column : table.physicalColumns()) {
            IDENTIFIERS.check(Kind.COLUMN, table.name(), column.name());
            for (Suspicious suspicious : Suspicious.in(column.type())) {
                if (!suspicious.enabledBy(table.clickHouse())) {
                    throw suspicious.refusal(table.displayName(), column.name(), column.type());
                }
            }
        }
        if (table.physicalColumns().stream().allMatch(column -> column.defaultValue() != null
                && column.defaultValue().kind() == io.github.schemaevolution.api.model.ColumnDefault.Kind.MATERIALIZED)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table.displayName(), null,
                    "every column is MATERIALIZED: ClickHouse needs a column that inserts can write", null);
        }
        ClickHouseOptions options = table.clickHouse();
        options.indexes().forEach(index -> IDENTIFIERS.check(Kind.INDEX, table.name(), index.name()));
        options.settings().keySet().forEach(key -> IDENTIFIERS.check(Kind.SETTING, table.name(), key));
        for (String key : keyColumns(options)) {
            if (column(table, key).isNullable()) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table.displayName(), key,
                        "ClickHouse sorting, primary and partition keys cannot be Nullable", null);
            }
        }
        Engine engine = options.engine();
        if (engine instanceof CollapsingMergeTree collapsing
                && column(table, collapsing.sign()).type() != ColumnType.INT8) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table.displayName(), collapsing.sign(),
                    "the sign column of CollapsingMergeTree must be Int8", null);
        }
        if (engine instanceof ReplacingMergeTree replacing && replacing.version() != null
                && !isVersionType(column(table, replacing.version()).type())) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table.displayName(), replacing.version(),
                    "the version column of ReplacingMergeTree must be an unsigned integer, Date, DateTime or DateTime64", null);
        }
    }

    /**
     * PostgreSQL options dropped; {@code index_granularity}, which MergeTree always records, made
     * explicit; the {@link Suspicious} settings dropped, since they apply to the CREATE statement
     * and the engine does not keep them with the table.
     */
    @Override
    public Table canonical(Table table) {
        ClickHouseOptions options = table.clickHouse();
        boolean suspicious = options.settings().keySet().stream().anyMatch(Suspicious::isSetting);
        if (!options.settings().containsKey(INDEX_GRANULARITY) || suspicious) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(INDEX_GRANULARITY, DEFAULT_INDEX_GRANULARITY);
            settings.putAll(options.settings());
            settings.keySet().removeIf(Suspicious::isSetting);
            options = new ClickHouseOptions(options.engine(), options.orderBy(), options.primaryKey(), options.partitionBy(),
                    options.indexes(), settings, options.replication());
        }
        return table.toBuilder().postgres(PostgresOptions.NONE).clickHouse(options).build();
    }

    @Override
    public List<DdlStatement> createTable(Table table) {
        validate(table);
        ClickHouseOptions options = table.clickHouse();
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(qualified(table)).append(onCluster()).append("\n(\n");
        List<String> members = table.physicalColumns().stream().map(c -> "    " + columnDefinition(table, c))
                .collect(Collectors.toList());
        options.indexes().forEach(index -> members.add("    INDEX " + IDENTIFIERS.quote(Kind.INDEX, table.name(), index.name())
                + " " + quoteColumn(table, index.column()) + " TYPE " + index.type() + " GRANULARITY " + index.granularity()));
        sql.append(String.join(",\n", members)).append("\n)\n");
        sql.append("ENGINE = ").append(replicated(engine(table, options.engine()), options.replication())).append('\n');
        options.partitionKey().ifPresent(key -> sql.append("PARTITION BY ")
                .append(key.function() == null ? quoteColumn(table, key.column())
                        : key.function() + "(" + quoteColumn(table, key.column()) + ")")
                .append('\n'));
        if (!options.primaryKey().isEmpty()) {
            sql.append("PRIMARY KEY ").append(tuple(table, options.primaryKey())).append('\n');
        }
        sql.append("ORDER BY ").append(tuple(table, options.orderBy()));
        if (!options.settings().isEmpty()) {
            sql.append("\nSETTINGS ").append(options.settings().entrySet().stream()
                    .map(e -> IDENTIFIERS.check(Kind.SETTING, table.name(), e.getKey()) + " = " + settingValue(e.getValue()))
                    .collect(Collectors.joining(", ")));
        }
        table.commentOptional().ifPresent(comment -> sql.append("\nCOMMENT ").append(ClickHouseSql.string(comment)));
        return List.of(DdlStatement.instant(sql.toString()));
    }

    @Override
    public DdlStatement dropTable(String schema, String table) {
        return DdlStatement.instant("DROP TABLE IF EXISTS " + IDENTIFIERS.qualified(schema, table) + onCluster() + " SYNC");
    }

    /**
     * A view casts only to types the table has held; a suspicious one (a dropped
     * {@code LowCardinality(UInt8)} read as NULL) is allowed for the view's query, since the table
     * was created with the setting, which the engine does not keep.
     */
    @Override
    public DdlStatement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns) {
        return createOrReplaceView(schema, view, table, columns, false);
    }

    /** {@code FINAL} after the table when {@code collapsed}: a FINAL written after the view's name would be ignored. */
    @Override
    public DdlStatement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns, boolean collapsed) {
        checkTableName(schema, view, Kind.VIEW, table);
        Set<String> aliases = columns.stream().map(ViewColumn::alias).collect(Collectors.toSet());
        String projection = columns.stream().map(c -> projected(table, view, c, aliases)).collect(Collectors.joining(", "));
        Set<Suspicious> casts = EnumSet.noneOf(Suspicious.class);
        columns.stream().filter(c -> c.castTo() != null).forEach(c -> casts.addAll(Suspicious.in(c.castTo().orNullable())));
        return DdlStatement.instant("CREATE OR REPLACE VIEW " + IDENTIFIERS.qualified(schema, view) + onCluster()
                + " AS SELECT " + projection + " FROM " + IDENTIFIERS.qualified(schema, table) + (collapsed ? " FINAL" : "")
                + Suspicious.settingsClause(casts) + " COMMENT " + ClickHouseSql.string(VIEW_MARK + table));
    }

    private String projected(String table, String view, ViewColumn column, Set<String> aliases) {
        String alias = IDENTIFIERS.quote(Kind.COLUMN, view, column.alias());
        if (column.isNull()) {
            return "CAST(NULL AS " + typeSql(column.castTo().orNullable()) + ") AS " + alias;
        }
        String source = IDENTIFIERS.quote(Kind.COLUMN, table, column.source());
        if (aliases.contains(column.source()) && !column.source().equals(column.alias())) {
            // ClickHouse resolves a name to an alias of the same SELECT before a column: after names were
            // swapped (name renamed to label, a new column called name) the bare name would read the other one
            source = IDENTIFIERS.quote(Kind.TABLE, null, table) + "." + source;
        }
        if (column.nullsAs() != null) {
            source = "coalesce(" + source + ", " + column.nullsAsSql(ClickHouseSql::string,
                    name -> IDENTIFIERS.quote(Kind.COLUMN, table, name)) + ")";
        }
        if (column.castTo() != null) {
            return "CAST(" + source + " AS " + typeSql(column.castTo()) + ") AS " + alias;
        }
        return column.source().equals(column.alias()) && column.nullsAs() == null ? source : source + " AS " + alias;
    }

    @Override
    public DdlStatement dropView(String schema, String view) {
        return DdlStatement.instant("DROP VIEW IF EXISTS " + IDENTIFIERS.qualified(schema, view) + onCluster());
    }

    /** Metadata only: existing parts answer the new column from its default on read. */
    @Override
    public DdlStatement addColumn(Table table, Column column) {
        IDENTIFIERS.check(Kind.COLUMN, table.name(), column.name());
        return DdlStatement.instant(alter(table) + " ADD COLUMN IF NOT EXISTS " + columnDefinition(table, column)
                + suspiciousAllowed(table, column.name(), column.type()));
    }

    /** A mutation that renames the column's files in every part: cost grows with the number of parts. */
    @Override
    public DdlStatement renameColumn(Table table, String from, String to) {
        return new DdlStatement(alter(table) + " RENAME COLUMN IF EXISTS " + IDENTIFIERS.quote(Kind.COLUMN, table.name(), from)
                + " TO " + IDENTIFIERS.quote(Kind.COLUMN, table.name(), to), DdlStatement.Cost.PER_CHUNK);
    }

    /**
     * A default or MATERIALIZED expression is metadata ({@code MODIFY COLUMN ... DEFAULT}); then the
     * spare is cleared (its files leave the parts, without rewriting other columns), so that the rows
     * that exist read the expression, as after ClickHouse's own {@code ADD COLUMN}, instead of the NULL
     * or empty value the spare stored. A recycled spare is cleared in any case.
     */
    @Override
    public SpareUse useSpare(Table table, String column, ColumnType stored, ColumnType wanted, ColumnDefault value,
            boolean recycled) {
        if (!stored.equals(wanted)) {
            throw new IllegalArgumentException("spare " + column + " is " + stored.sql() + ", not " + wanted.sql());
        }
        List<DdlStatement> statements = new java.util.ArrayList<>();
        if (value != null) {
            statements.add(DdlStatement.instant(alter(table) + " MODIFY COLUMN " + quoteColumn(table, column) + " "
                    + value.kind().name() + " " + ClickHouseSql.defaultValue(value.value(), stored)));
        }
        if (value != null || recycled) {
            statements.addAll(clearColumn(table, column, stored));
        }
        String empty = stored.isNullable() ? "NULL" : "the type's empty value (0, '', ...)";
        String oldRows = value == null ? empty : value.value() instanceof ColumnDefault.Literal literal
                ? "the default " + literal.text()
                : "the expression " + ClickHouseSql.defaultValue(value.value(), stored) + ", computed when read until merges"
                        + " store it (as after ClickHouse's own ADD COLUMN)";
        return new SpareUse(statements, stored, false, oldRows);
    }

    /**
     * Until the backfill reaches them, rows read the expression as the column's default; the update
     * writes it into the rows that still read it ({@code column = expression}), so values writers of the
     * new version wrote stay, and a rerun writes the same values.
     */
    @Override
    public io.github.schemaevolution.api.chunk.ChunkOperation backfill(String column, String expression) {
        String quoted = IDENTIFIERS.quote(Kind.COLUMN, null, column);
        return ClickHouseChunks.update(column, expression, quoted + " = (" + expression + ")", BACKFILL_DEADLINE);
    }

    private static final java.time.Duration BACKFILL_DEADLINE = java.time.Duration.ofHours(1);

    @Override
    public List<DdlStatement> removeDefault(Table table, String column, ColumnDefault.Kind kind) {
        return List.of(DdlStatement.instant(alter(table) + " MODIFY COLUMN " + quoteColumn(table, column) + " REMOVE " + kind.name()));
    }

    /** A mutation that removes the column's files from every part. */
    @Override
    public DdlStatement dropColumn(Table table, String column) {
        return new DdlStatement(alter(table) + " DROP COLUMN IF EXISTS " + IDENTIFIERS.quote(Kind.COLUMN, table.name(), column),
                DdlStatement.Cost.PER_CHUNK);
    }

    /** A mutation that rewrites the column in every part. */
    @Override
    public DdlStatement changeColumnType(Table table, String column, ColumnType newType) {
        return new DdlStatement(alter(table) + " MODIFY COLUMN " + IDENTIFIERS.quote(Kind.COLUMN, table.name(), column)
                + " " + typeSql(newType) + suspiciousAllowed(table, column, newType), DdlStatement.Cost.REWRITE);
    }

    /**
     * A mutation that resets the column in every part, waited for: a spare must be empty before
     * it can be brought into use again, or its old data would show under the new name.
     */
    @Override
    public List<DdlStatement> clearColumn(Table table, String column, ColumnType type) {
        return List.of(new DdlStatement(alter(table) + " CLEAR COLUMN IF EXISTS " + IDENTIFIERS.quote(Kind.COLUMN, table.name(), column)
                + " SETTINGS mutations_sync = 2", DdlStatement.Cost.PER_CHUNK));
    }

    @Override
    public HistoryStore history(String historyTable) {
        return new ClickHouseHistory(IDENTIFIERS, historyTable, cluster);
    }

    @Override
    public io.github.schemaevolution.spi.GateStore gates(String table) {
        return new ClickHouseGates(IDENTIFIERS, table);
    }

    /**
     * ClickHouse errors a retry may cure: timeouts, too many queries or parts at once, network
     * trouble, a memory limit hit under concurrent load, an insert of unknown outcome, Keeper hiccups.
     */
    private static final Set<Integer> TRANSIENT_CODES = Set.of(159, 160, 164, 202, 209, 210, 241, 252, 319, 425, 999);

    /**
     * One scan: {@code count()} and the wrapping sum of {@code xxHash64} of each row's columns per chunk
     * (a Nullable column as whether it is NULL and its value or the type's default, since a hash of
     * NULL is NULL), the chunk being {@code _partition_id}, the floor of an integer key over the range
     * width, or {@code all}; grouped by the number.
     */
    @Override
    public String checksumQuery(String schema, String table, List<Column> columns,
                                io.github.schemaevolution.api.chunk.Checksums.Chunking chunking) {
        List<String> hashed = new java.util.ArrayList<>();
        for (Column column : columns) {
            String quoted = IDENTIFIERS.quote(IdentifierRules.Kind.COLUMN, table, column.name());
            if (column.type().isNullable()) {
                hashed.add("isNull(" + quoted + ")");
                hashed.add("assumeNotNull(" + quoted + ")");
            } else {
                hashed.add(quoted);
            }
        }
        String chunk = "0";
        if (chunking instanceof io.github.schemaevolution.api.chunk.Checksums.Partitions) {
            chunk = "_partition_id";
        } else if (chunking instanceof io.github.schemaevolution.api.chunk.Checksums.KeyRanges ranges) {
            String key = IDENTIFIERS.quote(IdentifierRules.Kind.COLUMN, table, ranges.key());
            // Int64 in both branches: an unsigned key would make the branches' common type a Variant
            chunk = "if(" + key + " < 0, intDiv(toInt64(" + key + ") + 1, " + ranges.width() + ") - 1, intDiv(toInt64(" + key
                    + "), " + ranges.width() + "))";
        }
        return "SELECT " + chunk + " AS chunk, count(), toString(sum(xxHash64(" + String.join(", ", hashed) + "))) FROM "
                + IDENTIFIERS.qualified(schema, table) + " GROUP BY chunk ORDER BY chunk";
    }

    @Override
    public io.github.schemaevolution.api.chunk.Chunks chunks() {
        return ClickHouseChunkOperations.INSTANCE;
    }

    @Override
    public boolean isTransient(java.sql.SQLException error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains(ClickHouseCluster.TASK_TIMEOUT)) {
                // a node did not run an ON CLUSTER statement in time: a failure to report, not a wait to retry
                return false;
            }
            if (cause instanceof java.net.SocketTimeoutException || cause instanceof java.net.ConnectException) {
                return true;
            }
            java.util.OptionalInt code = ClickHouseSql.errorCode(cause.getMessage());
            if (code.isPresent() && TRANSIENT_CODES.contains(code.getAsInt())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public io.github.schemaevolution.spi.CheckpointStore checkpoints(String checkpointTable) {
        return new ClickHouseCheckpoints(IDENTIFIERS, checkpointTable, cluster);
    }

    @Override
    public Introspector introspector() {
        return new ClickHouseIntrospector(this);
    }

    /**
     * Types ClickHouse refuses as "suspicious" unless a setting allows them (checked on ClickHouse
     * 26.7, also inside Array, Nullable and LowCardinality): a FixedString longer than
     * {@value #MAX_PLAIN_FIXED_STRING} bytes, and LowCardinality over anything but String,
     * FixedString and UUID (every number, Bool, Date, DateTime). The setting is honoured in the
     * SETTINGS of CREATE TABLE but not kept with the table.
     */
    enum Suspicious {
        FIXED_STRING("allow_suspicious_fixed_string_types",
                "ClickHouse refuses FixedString longer than " + MAX_PLAIN_FIXED_STRING + " bytes as suspicious"),
        LOW_CARDINALITY("allow_suspicious_low_cardinality_types",
                "ClickHouse refuses LowCardinality over types other than String, FixedString and UUID as suspicious");

        private final String setting;
        private final String rule;

        Suspicious(String setting, String rule) {
            this.setting = setting;
            this.rule = rule;
        }

        String setting() {
            return setting;
        }

        static boolean isSetting(String name) {
            for (Suspicious suspicious : values()) {
                if (suspicious.setting.equals(name)) {
                    return true;
                }
            }
            return false;
        }

        /** What in {@code type}, at any depth, needs a setting. */
        static Set<Suspicious> in(ColumnType type) {
            Set<Suspicious> found = EnumSet.noneOf(Suspicious.class);
            for (ColumnType part = type; part != null; ) {
                if (part instanceof ColumnType.FixedString fixed && fixed.length() > MAX_PLAIN_FIXED_STRING) {
                    found.add(FIXED_STRING);
                }
                if (part instanceof ColumnType.LowCardinality low) {
                    ColumnType inner = low.inner().withoutNullable();
                    if (inner != ColumnType.STRING && inner != ColumnType.UUID && !(inner instanceof ColumnType.FixedString)) {
                        found.add(LOW_CARDINALITY);
                    }
                }
                part = part instanceof ColumnType.Array array ? array.element()
                        : part instanceof ColumnType.Nullable nullable ? nullable.inner()
                        : part instanceof ColumnType.LowCardinality low ? low.inner() : null;
            }
            return found;
        }

        boolean enabledBy(ClickHouseOptions options) {
            String value = options.settings().get(setting);
            return value != null && (value.equals("1") || value.toLowerCase(Locale.ROOT).equals("true"));
        }

        SchemaEvolutionException refusal(String table, String column, ColumnType type) {
            return new SchemaEvolutionException(ErrorCode.TYPE_UNSUPPORTED, table, column, "type " + type.sql()
                    + ": " + rule + "; set " + setting + " = 1 in the table's ClickHouse settings to create it", null);
        }

        static String settingsClause(Set<Suspicious> needed) {
            return needed.isEmpty() ? ""
                    : " SETTINGS " + needed.stream().map(s -> s.setting + " = 1").collect(Collectors.joining(", "));
        }
    }

    /**
     * The SETTINGS an ALTER needs to create a column of {@code type}: allowed when the table's
     * options enable the setting, or when the table already holds a column that needs it (it was
     * created with the setting, which the engine does not keep, so a live table never shows it).
     */
    private static String suspiciousAllowed(Table table, String column, ColumnType type) {
        Set<Suspicious> needed = Suspicious.in(type);
        for (Suspicious suspicious : needed) {
            boolean held = table.physicalColumns().stream().anyMatch(c -> Suspicious.in(c.type()).contains(suspicious));
            if (!held && !suspicious.enabledBy(table.clickHouse())) {
                throw suspicious.refusal(table.displayName(), column, type);
            }
        }
        return Suspicious.settingsClause(needed);
    }

    /** A table or view name must leave room for the database in the file name of a dropped table's metadata. */
    private static void checkTableName(String schema, String name, Kind kind, String table) {
        if (name == null) {
            IDENTIFIERS.check(kind, table, name);
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        int database = schema == null ? "default".length() : schema.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + database > MAX_TABLE_AND_DATABASE_BYTES) {
            throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_TOO_LONG, table, null, kind.name().toLowerCase(Locale.ROOT)
                    + " name '" + name + "' is " + bytes + " bytes; clickhouse keeps at most " + MAX_TABLE_AND_DATABASE_BYTES
                    + " bytes of table and database name together"
                    + (name.startsWith(LOCK_PREFIX) && !name.equals(table) ? " (the migration lock's break marker " + LOCK_PREFIX
                            + "<table>" + ClickHouseLock.BROKEN_INFIX + "<8 hex digits> must fit too)" : ""),
                    null);
        }
        IDENTIFIERS.check(kind, table, name);
    }

    private String alter(Table table) {
        return "ALTER TABLE " + qualified(table) + onCluster();
    }

    private static String qualified(Table table) {
        return IDENTIFIERS.qualified(table.schema(), table.name());
    }

    private String columnDefinition(Table table, Column column) {
        StringBuilder definition = new StringBuilder(quoteColumn(table, column.name())).append(' ')
                .append(typeSql(column.type()));
        column.defaultOptional().ifPresent(d -> definition.append(' ').append(d.kind().name()).append(' ')
                .append(ClickHouseSql.defaultValue(d.value(), column.type())));
        column.commentOptional().ifPresent(c -> definition.append(" COMMENT ").append(ClickHouseSql.string(c)));
        return definition.toString();
    }

    private String engine(Table table, Engine engine) {
        if (engine instanceof MergeTree) {
            return "MergeTree";
        }
        if (engine instanceof ReplacingMergeTree replacing) {
            return "ReplacingMergeTree" + (replacing.version() == null ? "" : "(" + quoteColumn(table, replacing.version()) + ")");
        }
        if (engine instanceof CollapsingMergeTree collapsing) {
            return "CollapsingMergeTree(" + quoteColumn(table, collapsing.sign()) + ")";
        }
        SummingMergeTree summing = (SummingMergeTree) engine;
        return "SummingMergeTree" + (summing.sumColumns().isEmpty() ? "" : "(" + tuple(table, summing.sumColumns()) + ")");
    }

    /**
     * {@code engine} of the Replicated family when {@code replication} says so: the path and the replica name
     * first (unless the server's defaults name them), then the engine's own arguments.
     */
    static String replicated(String engine, ClickHouseOptions.Replication replication) {
        if (replication == null) {
            return engine;
        }
        int open = engine.indexOf('(');
        String name = open < 0 ? engine : engine.substring(0, open);
        String own = open < 0 ? "" : engine.substring(open + 1, engine.length() - 1);
        List<String> arguments = new java.util.ArrayList<>();
        if (!replication.serverDefaults()) {
            arguments.add(ClickHouseSql.string(replication.zooKeeperPath()));
            arguments.add(ClickHouseSql.string(replication.replica()));
        }
        if (!own.isEmpty()) {
            arguments.add(own);
        }
        return "Replicated" + name + "(" + String.join(", ", arguments) + ")";
    }

    private static String tuple(Table table, List<String> columns) {
        if (columns.isEmpty()) {
            return "tuple()";
        }
        String joined = columns.stream().map(c -> quoteColumn(table, c)).collect(Collectors.joining(", "));
        return columns.size() == 1 ? joined : "(" + joined + ")";
    }

    private static String quoteColumn(Table table, String column) {
        return IDENTIFIERS.quote(Kind.COLUMN, table.name(), column);
    }

    private static String settingValue(String value) {
        return value.matches("-?[0-9]+(\\.[0-9]+)?") ? value : ClickHouseSql.string(value);
    }

    private static List<String> keyColumns(ClickHouseOptions options) {
        List<String> keys = new java.util.ArrayList<>(options.orderBy());
        options.partitionKey().ifPresent(key -> keys.add(key.column()));
        return keys;
    }

    private static Column column(Table table, String name) {
        return table.column(name).orElseThrow();
    }

    private static boolean isVersionType(ColumnType type) {
        return type == ColumnType.UINT8 || type == ColumnType.UINT16 || type == ColumnType.UINT32
                || type == ColumnType.UINT64 || type == ColumnType.DATE || type == ColumnType.DATETIME
                || type instanceof ColumnType.DateTime64;
    }
}
