package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.PostgresOptions.Partitioning;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;
import io.github.schemaevolution.spi.SpareUse;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.DdlStatement.Cost;
import io.github.schemaevolution.spi.ViewColumn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * PostgreSQL, version 13 or later. Renaming, adding a nullable column and dropping a column are
 * catalog changes here, DDL is transactional, and a view stores the columns it reads rather than
 * their names, so it follows a rename.
 *
 * <p>Types map as {@link #typeSql(ColumnType)} describes; the table's {@link PostgresOptions}
 * (primary key, declarative partitioning) shape the DDL, {@link ClickHouseOptions} are ignored.
 * Every identifier passes through {@link #identifiers()}, whose 63-byte limit refuses the names
 * PostgreSQL would otherwise truncate without a word.
 *
 * <p>Stateless and thread-safe; found through {@link java.util.ServiceLoader} as {@code postgresql}.
 */
public final class PostgresDialect implements Dialect {

    /** PostgreSQL's limit on the columns of a table; columns dropped earlier still count toward it. */
    public static final int MAX_COLUMNS = 1_600;

    /** SQL state of a lock wait that ran into {@code lock_timeout}. */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    /** SQL states after which running the same transaction again may succeed. */
    private static final Set<String> TRANSIENT_STATES = Set.of(LOCK_NOT_AVAILABLE, "40P01", "40001");

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.TRANSACTIONAL_DDL,
            Capability.METADATA_ONLY_RENAME, Capability.VIEWS_FOLLOW_RENAMES, Capability.ADVISORY_LOCKS,
            Capability.ALTER_TYPE_BLOCKED_BY_VIEWS, Capability.IDEMPOTENT_ALTER));

    /** {@code postgresql}. */
    @Override
    public String name() {
        return "postgresql";
    }

    /** URLs of the PostgreSQL JDBC driver, {@code jdbc:postgresql:...}. */
    @Override
    public boolean acceptsJdbcUrl(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
    }

    /** 63 bytes at most, no PostgreSQL reserved key word, quoted with {@code "}. */
    @Override
    public IdentifierRules identifiers() {
        return PostgresIdentifiers.RULES;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /**
     * The PostgreSQL type as {@code format_type} prints it. Int8 and UInt8 become {@code smallint},
     * UInt16 {@code integer}, UInt32 {@code bigint} and UInt64 {@code numeric(20,0)}, since
     * PostgreSQL has no one-byte or unsigned integers; Float32/64 {@code real}/{@code double
     * precision}; Decimal(p, s) {@code numeric(p,s)}; String {@code text}; FixedString(n)
     * {@code character(n)}; DateTime {@code timestamp(0) without time zone} and DateTime64(p)
     * {@code timestamp(p) without time zone}; Array(T) {@code T[]}. {@code Nullable} and
     * {@code LowCardinality} do not change the type.
     *
     * @throws SchemaEvolutionException TYPE_UNSUPPORTED for Enum8, DateTime64 above 6 digits and nested arrays
     */
    @Override
    public String typeSql(ColumnType type) {
        return PostgresTypes.sql(type, null, null);
    }

    /**
     * The model type of a type {@code format_type} printed. Returns the canonical type (see
     * {@link #canonical(Table)}), never {@code Nullable}: nullability is the column's.
     *
     * @throws SchemaEvolutionException TYPE_UNSUPPORTED for a type this dialect does not create
     */
    @Override
    public ColumnType modelType(String engineType) {
        return PostgresTypes.model(engineType);
    }

    /** The model type {@link #modelType} reads the type of {@code type} back as, nullability kept. */
    @Override
    public ColumnType canonicalType(ColumnType type) {
        return PostgresTypes.canonical(type);
    }

    /**
     * Checks, in order: table and schema names (a schema may not be a reserved word either); each
     * column's name (also against PostgreSQL's system columns) and type; the spare columns (their
     * types, and the names of the folded families, which are the ones created); the 1,600 column
     * limit; primary key columns
     * are distinct and not nullable (PostgreSQL would silently make them NOT NULL); partitioning
     * names at least one column, LIST only one, and a primary key includes every partition column
     * (a PostgreSQL rule for unique constraints on partitioned tables).
     */
    @Override
    public void validate(Table table) {
        String display = table.displayName();
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, table.name());
        if (table.schema() != null) {
            PostgresIdentifiers.schema(display, table.schema());
        }
        for (Column column : table.columns()) {
            PostgresIdentifiers.column(display, column.name());
            PostgresTypes.sql(column.type(), display, column.name());
        }
        for (ReservePolicy.Family family : table.reserve().families()) {
            PostgresTypes.sql(family.type(), display, table.reserve().spareName(family.type(), 1));
        }
        List<Column> physical = fold(table).physicalColumns();
        for (Column spare : physical.subList(table.columns().size(), physical.size())) {
            PostgresIdentifiers.column(display, spare.name());
        }
        if (physical.size() > MAX_COLUMNS) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, null, physical.size()
                    + " columns with spares; postgresql tables hold at most " + MAX_COLUMNS, null);
        }
        validateLayout(table, display);
    }

    private static void validateLayout(Table table, String display) {
        PostgresOptions options = table.postgres();
        Set<String> keyColumns = new HashSet<>();
        for (String key : options.primaryKey()) {
            if (!keyColumns.add(key)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, key,
                        "the primary key names this column twice", null);
            }
            if (table.column(key).orElseThrow().isNullable()) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, key,
                        "primary key columns must not be Nullable (postgresql makes them NOT NULL)", null);
            }
        }
        Partitioning partitioning = options.partitioning();
        if (partitioning == null) {
            return;
        }
        if (partitioning.columns().isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, null,
                    "PARTITION BY " + partitioning.strategy() + " needs at least one column", null);
        }
        if (partitioning.strategy() == PostgresOptions.Strategy.LIST && partitioning.columns().size() > 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, null,
                    "postgresql partitions by LIST on one column only, got " + partitioning.columns(), null);
        }
        for (String column : partitioning.columns()) {
            if (!options.primaryKey().isEmpty() && !keyColumns.contains(column)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, display, column,
                        "the primary key " + options.primaryKey() + " must include every partition column"
                                + " (a postgresql rule for partitioned tables)", null);
            }
        }
    }

    /**
     * The table as PostgreSQL stores it and {@link #introspector()} reads it back: column types
     * folded as {@link #typeSql(ColumnType)} maps them (Int8/UInt8 to Int16, UInt16 to Int32,
     * UInt32 to Int64, UInt64 to Decimal(20, 0), DateTime64(0) to DateTime, LowCardinality
     * dropped, array elements without Nullable), MATERIALIZED defaults as plain defaults, UUID
     * literals in lower case, spare families folded the same way (families that fold into one
     * are merged, in order of first appearance), ClickHouse options reset to their default.
     *
     * @throws SchemaEvolutionException what {@link #validate(Table)} throws
     */
    @Override
    public Table canonical(Table table) {
        validate(table);
        return fold(table);
    }

    private static Table fold(Table table) {
        Table.Builder folded = Table.builder(table.name()).schema(table.schema()).comment(table.comment())
                .reserve(foldReserve(table.reserve())).clickHouse(ClickHouseOptions.DEFAULT).postgres(table.postgres());
        table.columns().forEach(column -> folded.column(foldColumn(column)));
        return folded.build();
    }

    private static Column foldColumn(Column column) {
        ColumnType type = PostgresTypes.canonical(column.type());
        ColumnDefault value = column.defaultValue();
        if (value != null) {
            ColumnDefault.Value folded = value.value();
            if (folded instanceof ColumnDefault.Literal literal && type.withoutNullable() == ColumnType.UUID) {
                folded = new ColumnDefault.Literal(literal.text().toLowerCase(Locale.ROOT));
            }
            value = new ColumnDefault(value.kind() == ColumnDefault.Kind.ALIAS ? ColumnDefault.Kind.ALIAS
                    : ColumnDefault.Kind.DEFAULT, folded);
        }
        return new Column(column.name(), type, value, column.comment());
    }

    private static ReservePolicy foldReserve(ReservePolicy reserve) {
        Map<ColumnType, Integer> counts = new LinkedHashMap<>();
        // nullability is a constraint here, not a type: every spare is nullable, and any serves a non-Nullable column
        reserve.families().forEach(family -> counts.merge(PostgresTypes.canonical(family.type()).orNullable(), family.count(), Integer::sum));
        ReservePolicy.Builder folded = ReservePolicy.builder().prefix(reserve.prefix());
        counts.forEach(folded::spares);
        return folded.build();
    }

    /**
     * {@code CREATE TABLE} with the columns, then the spares (always nullable, so a spare in the
     * pool holds NULL), the primary key and the partitioning; then one {@code COMMENT ON} per
     * comment of the table and its columns. Renders {@link #canonical(Table)}, so the spare names
     * are those of the folded families.
     */
    @Override
    public List<DdlStatement> createTable(Table table) {
        Table canonical = canonical(table);
        String display = canonical.displayName();
        String name = qualified(canonical);
        List<String> members = new ArrayList<>();
        canonical.columns().forEach(column -> members.add(columnDefinition(display, column, false)));
        canonical.reserve().spareColumns().forEach(spare -> members.add(columnDefinition(display, spare, true)));
        if (!canonical.postgres().primaryKey().isEmpty()) {
            members.add("PRIMARY KEY " + columnList(display, canonical.postgres().primaryKey()));
        }
        StringBuilder create = new StringBuilder("CREATE TABLE ").append(name).append(" (\n    ")
                .append(String.join(",\n    ", members)).append("\n)");
        canonical.postgres().partitioningOptional().ifPresent(partitioning -> create.append("\nPARTITION BY ")
                .append(partitioning.strategy().name()).append(' ').append(columnList(display, partitioning.columns())));

        List<DdlStatement> statements = new ArrayList<>();
        statements.add(DdlStatement.instant(create.toString()));
        canonical.commentOptional().ifPresent(comment ->
                statements.add(DdlStatement.instant("COMMENT ON TABLE " + name + " IS " + PostgresSql.string(comment))));
        for (Column column : canonical.physicalColumns()) {
            column.commentOptional().ifPresent(comment -> statements.add(DdlStatement.instant("COMMENT ON COLUMN " + name
                    + "." + PostgresIdentifiers.column(display, column.name()) + " IS " + PostgresSql.string(comment))));
        }
        return List.copyOf(statements);
    }

    /** {@code DROP TABLE IF EXISTS}, without CASCADE: a table that views still read is not dropped. */
    @Override
    public DdlStatement dropTable(String schema, String table) {
        return DdlStatement.instant("DROP TABLE IF EXISTS " + PostgresIdentifiers.qualified(schema, table));
    }

    /**
     * {@code CREATE OR REPLACE VIEW v AS SELECT "source" AS "alias", ... FROM t}; a column with a type
     * to show is {@code CAST("source" AS type)}, one without source {@code CAST(NULL AS type)}.
     * PostgreSQL replaces a view only when the new one keeps the old columns, same names, types and
     * order, and at most adds some at the end; anything else needs {@link #dropView} first.
     */
    @Override
    public DdlStatement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns) {
        String quotedView = PostgresIdentifiers.qualifiedView(schema, view);
        if (columns.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, view, null, "a view needs at least one column", null);
        }
        Set<String> aliases = new HashSet<>();
        List<String> projection = new ArrayList<>();
        for (ViewColumn column : columns) {
            if (!aliases.add(column.alias().toLowerCase(Locale.ROOT))) {
                throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_DUPLICATE, view, column.alias(),
                        "the view shows two columns under this name", null);
            }
            projection.add(projected(table, view, column));
        }
        return DdlStatement.instant("CREATE OR REPLACE VIEW " + quotedView + " AS SELECT " + String.join(", ", projection)
                + " FROM " + PostgresIdentifiers.qualified(schema, table));
    }

    private static String projected(String table, String view, ViewColumn column) {
        String alias = PostgresIdentifiers.column(view, column.alias());
        String source = column.isNull() ? "NULL" : PostgresIdentifiers.column(table, column.source());
        if (column.nullsAs() != null) {
            // an untyped literal takes the column's type in COALESCE
            source = "COALESCE(" + source + ", " + column.nullsAsSql(PostgresSql::string,
                    name -> PostgresIdentifiers.column(table, name)) + ")";
            return (column.castTo() == null ? source : "CAST(" + source + " AS "
                    + PostgresTypes.sql(column.castTo(), view, column.alias()) + ")") + " AS " + alias;
        }
        if (column.castTo() == null) {
            return column.source().equals(column.alias()) ? source : source + " AS " + alias;
        }
        return "CAST(" + source + " AS " + PostgresTypes.sql(column.castTo(), view, column.alias()) + ") AS " + alias;
    }

    @Override
    public DdlStatement dropView(String schema, String view) {
        return DdlStatement.instant("DROP VIEW IF EXISTS " + PostgresIdentifiers.qualifiedView(schema, view));
    }

    /**
     * {@code LOCK TABLE ... IN ACCESS EXCLUSIVE MODE NOWAIT} of the views and the table, in a savepoint
     * so that a refusal (a reader holds one of them) is rolled back alone and tried again after a
     * short pause, from 2 ms doubling up to 50 ms, until {@code wait} has passed.
     */
    @Override
    public void lockForMigration(Connection connection, String schema, String table, List<String> views, Duration wait)
            throws SQLException {
        String sql = lockSql(schema, table, views);
        retryingLocks(connection, table, wait, statement -> {
            java.sql.Savepoint savepoint = connection.setSavepoint();
            try {
                statement.execute(sql);
                connection.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                connection.rollback(savepoint);
                throw e;
            }
        });
    }

    /**
     * In a transaction, one round trip: a savepoint, the locks of {@link #lockForMigration}, the
     * {@code lock_timeout} of {@link #prepareDdl} and the statements, sent together; a refused lock is
     * rolled back to the savepoint and the whole is sent again, as {@link #lockForMigration} would.
     */
    @Override
    public void runMigration(Connection connection, String schema, String table, List<String> views,
            List<io.github.schemaevolution.spi.DdlStatement> statements, Duration lockWait, Duration lockTimeout,
            java.util.function.IntConsumer ran) throws SQLException {
        if (statements.isEmpty() || connection.getAutoCommit()) {
            io.github.schemaevolution.spi.Dialect.super.runMigration(connection, schema, table, views, statements, lockWait,
                    lockTimeout, ran);
            return;
        }
        StringBuilder batch = new StringBuilder("SAVEPOINT schema_evolution_locks;\n").append(lockSql(schema, table, views))
                .append(";\nSET LOCAL lock_timeout = '").append(Math.max(1, lockTimeout.toMillis())).append("ms'");
        statements.forEach(statement -> batch.append(";\n").append(statement.sql()));
        retryingLocks(connection, table, lockWait, statement -> {
            try {
                statement.execute(batch.toString());
            } catch (SQLException e) {
                statement.execute("ROLLBACK TO SAVEPOINT schema_evolution_locks");
                throw e;
            }
        });
        ran.accept(statements.size());
    }

    private static String lockSql(String schema, String table, List<String> views) {
        List<String> relations = new java.util.ArrayList<>();
        views.forEach(view -> relations.add(PostgresIdentifiers.qualifiedView(schema, view)));
        relations.add(PostgresIdentifiers.qualified(schema, table));
        return "LOCK TABLE " + String.join(", ", relations) + " IN ACCESS EXCLUSIVE MODE NOWAIT";
    }

    private interface Attempt {
        void run(java.sql.Statement statement) throws SQLException;
    }

    /**
     * Runs {@code attempt} (which leaves the transaction as it found it when it fails) until it takes its
     * {@code NOWAIT} locks, after a pause from 2 ms doubling up to 50 ms, until {@code wait} has passed.
     */
    private static void retryingLocks(Connection connection, String table, Duration wait, Attempt attempt) throws SQLException {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 2;
        try (java.sql.Statement statement = connection.createStatement()) {
            while (true) {
                try {
                    attempt.run(statement);
                    return;
                } catch (SQLException e) {
                    if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the locks of " + table, LOCK_NOT_AVAILABLE, e);
                }
                pause = Math.min(pause * 2, 50);
            }
        }
    }

    /**
     * {@code ADD COLUMN IF NOT EXISTS}. A catalog change when the column is nullable without
     * default, and also with a constant or current-time default, which PostgreSQL evaluates once
     * and keeps in the catalog for the existing rows. A default expression may be volatile (a
     * random value, the clock), which makes PostgreSQL write it into every row: REWRITE. A NOT NULL
     * column without default can only be added to an empty table. The column's comment is not
     * rendered: PostgreSQL sets comments with a statement of their own.
     */
    @Override
    public DdlStatement addColumn(Table table, Column column) {
        String display = table.displayName();
        Column folded = foldColumn(column);
        // a virtual generated column (ALIAS) is catalog only; an expression default is evaluated for every row
        boolean volatileDefault = folded.defaultValue() != null && folded.defaultValue().kind() != ColumnDefault.Kind.ALIAS
                && folded.defaultValue().value() instanceof ColumnDefault.Expression;
        return new DdlStatement(alter(table) + " ADD COLUMN IF NOT EXISTS " + columnDefinition(display, folded, false),
                volatileDefault ? Cost.REWRITE : Cost.INSTANT);
    }

    /** {@code RENAME COLUMN}: a catalog change; views over the table keep reading the renamed column. */
    /**
     * Catalog only: {@code SET DEFAULT} applies to rows inserted from now on, so rows that exist keep
     * the spare's NULL. A non-Nullable column gets a {@code NOT NULL ... NOT VALID} constraint
     * (PostgreSQL 18), checked for new rows without a scan of the old ones, which still hold NULL and
     * which the views read as the default; that default must be a constant, or each read of an old
     * row would compute another value.
     */
    @Override
    public SpareUse useSpare(Table table, String column, ColumnType stored, ColumnType wanted, ColumnDefault value,
            boolean recycled) {
        String display = table.displayName();
        String quoted = PostgresIdentifiers.column(display, column);
        ColumnType canonical = PostgresTypes.canonical(wanted);
        List<String> actions = new ArrayList<>();
        if (value != null) {
            actions.add("ALTER COLUMN " + quoted + " SET DEFAULT " + PostgresSql.defaultValue(value.value(), canonical, display, column));
        }
        boolean notNull = !canonical.isNullable() && !canonical.orNullable().equals(canonical);
        if (notNull && !(value != null && value.value() instanceof ColumnDefault.Literal)) {
            throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, display, column, "a spare comes into use as "
                    + wanted.sql() + " (not Nullable) on postgresql with a constant default only: its rows that exist"
                    + " hold NULL and read as the default, which an expression would compute anew on every read; give it a"
                    + " constant default, add it as " + wanted.orNullable().sql() + ", or add it natively (allowNativeAdd)"
                    + " where the engine writes the default into every row", null);
        }
        if (notNull) {
            actions.add("ADD NOT NULL " + quoted + " NOT VALID");
        }
        List<DdlStatement> statements = actions.isEmpty() ? List.of()
                : List.of(DdlStatement.instant(alter(table) + " " + String.join(", ", actions)));
        String oldRows = notNull ? "the default " + ((ColumnDefault.Literal) value.value()).text() + " (NULL in the table, read"
                + " as the default through the views)" : "NULL" + (value == null ? "" : " (the default applies to rows"
                + " inserted from now on; a native ADD COLUMN would show it in every row)");
        return new SpareUse(statements, notNull ? canonical : stored, notNull, oldRows);
    }

    @Override
    public List<DdlStatement> dropNotNull(Table table, String column) {
        return List.of(DdlStatement.instant(alter(table) + " ALTER COLUMN " + PostgresIdentifiers.column(table.displayName(), column)
                + " DROP NOT NULL"));
    }

    /** Where the column is still NULL only: values writers of the new version wrote stay, and a rerun changes nothing. */
    @Override
    public io.github.schemaevolution.api.chunk.ChunkOperation backfill(String column, String expression) {
        return PostgresChunks.fill(column, expression, true);
    }

    @Override
    public DdlStatement renameColumn(Table table, String from, String to) {
        String display = table.displayName();
        return DdlStatement.instant(alter(table) + " RENAME COLUMN " + PostgresIdentifiers.column(display, from)
                + " TO " + PostgresIdentifiers.column(display, to));
    }

    /**
     * {@code DROP COLUMN IF EXISTS}: a catalog change that hides the column; its data stays on
     * disk until the table is next rewritten, and it still counts toward the limit of
     * {@value #MAX_COLUMNS} columns. Without CASCADE, so a column a view reads is not dropped.
     */
    @Override
    public DdlStatement dropColumn(Table table, String column) {
        return DdlStatement.instant(alter(table) + " DROP COLUMN IF EXISTS " + PostgresIdentifiers.column(table.displayName(), column));
    }

    /**
     * {@code ALTER COLUMN ... TYPE}, plus {@code SET}/{@code DROP NOT NULL} when the new type's
     * nullability differs from the column's in {@code table}. INSTANT when PostgreSQL keeps the
     * data as it is (same PostgreSQL type, numeric precision growing at the same scale, timestamp
     * precision growing); REWRITE otherwise, which includes Int32 to Int64 and Float32 to Float64:
     * unlike ClickHouse's, these PostgreSQL types differ in width on disk. {@code SET NOT NULL}
     * scans the table to check it, and so is REWRITE too. A column {@code table} does not list
     * (a spare renumbered since the model was read) gets the type only, costed REWRITE.
     */
    @Override
    public DdlStatement changeColumnType(Table table, String column, ColumnType newType) {
        String display = table.displayName();
        String quoted = PostgresIdentifiers.column(display, column);
        String sql = alter(table) + " ALTER COLUMN " + quoted + " TYPE " + PostgresTypes.sql(newType, display, column);
        Column current = table.physicalColumns().stream().filter(c -> c.name().equals(column)).findFirst().orElse(null);
        if (current == null) {
            return new DdlStatement(sql, Cost.REWRITE);
        }
        boolean rewrite = !PostgresTypes.isMetadataOnlyChange(current.type(), newType);
        if (current.isNullable() && !newType.isNullable()) {
            sql += ", ALTER COLUMN " + quoted + " SET NOT NULL";
            rewrite = true;
        } else if (!current.isNullable() && newType.isNullable()) {
            sql += ", ALTER COLUMN " + quoted + " DROP NOT NULL";
        }
        return new DdlStatement(sql, rewrite ? Cost.REWRITE : Cost.INSTANT);
    }

    /** Heap blocks a clearing updates in one transaction: about 8 MB of the table. */
    static final int CLEAR_BLOCKS = 1_000;

    /**
     * Empties a column so that it can return to the pool: drops its default (rows inserted while it
     * waits in the pool must not get values that would later show under a new name) and NOT NULL,
     * then sets it to NULL in every row that has a value. The UPDATE writes a new version of each
     * such row: REWRITE.
     */
    @Override
    public List<DdlStatement> clearColumn(Table table, String column, ColumnType type) {
        String quoted = PostgresIdentifiers.column(table.displayName(), column);
        return List.of(
                DdlStatement.instant(alter(table) + " ALTER COLUMN " + quoted + " DROP DEFAULT, ALTER COLUMN " + quoted
                        + " DROP NOT NULL"),
                new DdlStatement("UPDATE " + qualified(table) + " SET " + quoted + " = NULL WHERE " + quoted + " IS NOT NULL",
                        Cost.REWRITE));
    }

    /**
     * The {@code UPDATE} of {@link #clearColumn} a range of {@value #CLEAR_BLOCKS} heap blocks at a time
     * (a TID range scan reads just those blocks), each range its own transaction: row locks of a few
     * thousand rows at a time, dead row versions that vacuum can take as the clearing goes, and no
     * transaction as long as the table. Rows moved by the updates land past the ranges cleared, already
     * NULL, so one pass up to the table's last block clears every row.
     */
    @Override
    public void clearRows(Connection connection, Table table, String column, ColumnType type) throws SQLException {
        String quoted = PostgresIdentifiers.column(table.displayName(), column);
        long blocks;
        try (PreparedStatement size = connection.prepareStatement("SELECT pg_catalog.pg_relation_size(?::regclass)"
                + " / current_setting('block_size')::bigint")) {
            size.setString(1, qualified(table));
            try (java.sql.ResultSet row = size.executeQuery()) {
                row.next();
                blocks = row.getLong(1);
            }
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + qualified(table) + " SET " + quoted
                + " = NULL WHERE ctid >= ('(' || ? || ',0)')::tid AND ctid < ('(' || ? || ',0)')::tid AND " + quoted
                + " IS NOT NULL")) {
            for (long from = 0; from <= blocks; from += CLEAR_BLOCKS) {
                update.setLong(1, from);
                update.setLong(2, from + CLEAR_BLOCKS);
                update.executeUpdate();
            }
        }
    }

    /** Nullable, as {@link #clearColumn} leaves it. */
    @Override
    public ColumnType clearedType(ColumnType type) {
        return PostgresTypes.canonical(type).orNullable();
    }

    /**
     * Sets {@code lock_timeout} for the current transaction (for the session on a connection in
     * auto-commit mode), so that a DDL statement queued behind a long query fails after the timeout
     * instead of holding up every query queued behind it.
     */
    @Override
    public void prepareDdl(Connection connection, Duration lockTimeout) throws SQLException {
        PostgresHistory.setLockTimeout(connection, lockTimeout, !connection.getAutoCommit());
    }

    /** Lock timeouts, deadlocks and serialization failures: the transaction may succeed when run again. */
    @Override
    public io.github.schemaevolution.spi.GateStore gates(String table) {
        return new PostgresGates(table);
    }

    /** The 64-bit hash functions of the types that have one taking the type itself. */
    private static final Map<String, String> HASHES = Map.of("smallint", "hashint2extended", "integer", "hashint4extended",
            "bigint", "hashint8extended", "real", "hashfloat4extended", "double precision", "hashfloat8extended",
            "text", "hashtextextended", "numeric", "hash_numeric_extended", "uuid", "uuid_hash_extended",
            "timestamp without time zone", "timestamp_hash_extended");

    /**
     * One scan: {@code count(*)} and the exact sum, per chunk, of each row's hash: the exclusive or of
     * its columns' hashes, each by its type's 64-bit hash function (other types through
     * {@code hash_record_extended}) seeded with the column's position, so that values moved between
     * columns change it, and NULL as the position itself. The chunk is the floor of an integer key over
     * the range width, or {@code all}. Partitions are other tables in each copy, so they are not chunks here.
     */
    @Override
    public String checksumQuery(String schema, String table, List<Column> columns,
                                io.github.schemaevolution.api.chunk.Checksums.Chunking chunking) {
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            String quoted = PostgresIdentifiers.column(table, column.name());
            String type = PostgresTypes.sql(column.type().withoutNullable(), table, column.name());
            // a date and a boolean hash as the integers they hold: days since 2000, 0 or 1
            String argument = type.equals("date") ? "(" + quoted + " - DATE '2000-01-01')" : type.equals("boolean")
                    ? quoted + "::integer" : quoted;
            String function = type.equals("date") || type.equals("boolean") ? "hashint4extended" : HASHES.get(type);
            String hash = function == null ? "pg_catalog.hash_record_extended(ROW(" + quoted + "), " + (i + 1) + ")"
                    : "pg_catalog." + function + "(" + argument + ", " + (i + 1) + ")";
            hashes.add("coalesce(" + hash + ", " + (i + 1) + ")");
        }
        String chunk = "0";
        if (chunking instanceof io.github.schemaevolution.api.chunk.Checksums.Partitions) {
            throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, null, "postgresql partitions of two copies"
                    + " are different tables: compare them by key ranges", null);
        } else if (chunking instanceof io.github.schemaevolution.api.chunk.Checksums.KeyRanges ranges) {
            String key = PostgresIdentifiers.column(table, ranges.key());
            chunk = "CASE WHEN " + key + " < 0 THEN (" + key + " + 1) / " + ranges.width() + " - 1 ELSE " + key + " / "
                    + ranges.width() + " END";
        }
        String hash = String.join(" # ", hashes);
        String from = PostgresIdentifiers.qualified(schema, table);
        if (chunk.equals("0")) {
            return "SELECT 0 AS chunk, count(*), sum(" + hash + ")::text FROM " + from + " GROUP BY 1";
        }
        // the planner estimates one group per row for an expression of the key, and sorts every row; read
        // through a subquery it cannot flatten (OFFSET 0), the chunk is a column without statistics, whose
        // few groups it estimates as such: a hash aggregate, 1.8 times faster
        return "SELECT chunk, count(*), sum(h)::text FROM (SELECT " + chunk + " AS chunk, " + hash + " AS h FROM " + from
                + " OFFSET 0) AS rows GROUP BY chunk ORDER BY chunk";
    }

    @Override
    public io.github.schemaevolution.api.chunk.Chunks chunks() {
        return PostgresChunkOperations.INSTANCE;
    }

    @Override
    public boolean isTransient(SQLException error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && TRANSIENT_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** History in the table {@code historyTable} of each schema, migrations serialised by advisory locks. */
    @Override
    public HistoryStore history(String historyTable) {
        return new PostgresHistory(historyTable);
    }

    /** Checkpoints in an ordinary table, written in each chunk's own transaction. */
    @Override
    public io.github.schemaevolution.spi.CheckpointStore checkpoints(String checkpointTable) {
        return new PostgresCheckpoints(checkpointTable);
    }

    /** Reads tables from {@code pg_catalog}. */
    @Override
    public Introspector introspector() {
        return new PostgresIntrospector(this);
    }

    private static String alter(Table table) {
        return "ALTER TABLE " + qualified(table);
    }

    private static String qualified(Table table) {
        return PostgresIdentifiers.qualified(table.schema(), table.name());
    }

    private static String columnDefinition(String table, Column column, boolean spare) {
        StringBuilder definition = new StringBuilder(PostgresIdentifiers.column(table, column.name())).append(' ')
                .append(PostgresTypes.sql(column.type(), table, column.name()));
        column.defaultOptional().ifPresent(value -> definition.append(value.kind() == ColumnDefault.Kind.ALIAS
                ? " GENERATED ALWAYS AS (" + ((ColumnDefault.Expression) value.value()).sql() + ") VIRTUAL" : " DEFAULT "
                + PostgresSql.defaultValue(value.value(), column.type(), table, column.name())));
        // an array spare cannot be Nullable in the model, yet a spare must hold NULL while in the pool
        if (!column.isNullable() && !spare) {
            definition.append(" NOT NULL");
        }
        return definition.toString();
    }

    private static String columnList(String table, List<String> columns) {
        return columns.stream().map(c -> PostgresIdentifiers.column(table, c)).collect(Collectors.joining(", ", "(", ")"));
    }
}
