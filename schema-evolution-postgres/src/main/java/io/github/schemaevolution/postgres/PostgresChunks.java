package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.ChunkStreams;
import io.github.schemaevolution.api.chunk.KeyRanges;
import io.github.schemaevolution.api.chunk.KeySpan;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.chunk.SchemaSameness;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Chunks and chunk operations on PostgreSQL. Chunks: key ranges of one table (split by its integer
 * key, sized from the planner's statistics), the partitions of a partitioned table, or per-chunk
 * tables ({@code <prefix>_<number>}). Operations: fill, update with a predicate, clear, and the same
 * DDL on every chunk table; each chunk is one short transaction (never a table-wide lock: an UPDATE
 * of a key range locks only the rows of its range).
 */
public final class PostgresChunks {
    /** A type as {@code format_type} prints a built-in or plainly named one: {@code numeric(20,0)}, {@code text[]}. */
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_ .]*(\\([0-9, ]+\\))?[a-z ]*(\\[\\])*");
    private static final String FEATURE_NOT_SUPPORTED = "0A000";

    private PostgresChunks() {
    }

    /**
     * Ranges of {@code keyColumn} (an integer column) of about {@code rowsPerChunk} rows each, from
     * {@code min(key)} to {@code max(key)}, sized from the planner's row estimate, with a range below
     * and an open one above for rows inserted during the run; generated lazily, so a billion-row table
     * costs no memory. The span is recorded when a run starts ({@link KeyRanges}), so a resumed run
     * cuts the same ranges whatever was inserted or analysed since.
     */
    public static ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk) {
        String quotedTable = PostgresIdentifiers.qualified(null, table);
        String quotedKey = PostgresIdentifiers.column(table, keyColumn);
        return KeyRanges.of(table, keyColumn, rowsPerChunk, (connection, rows) -> span(connection, quotedTable, quotedKey, rows));
    }

    /** The pseudo-key of {@link #blockRanges}: a heap block number, read through the row's {@code ctid}. */
    static final String BLOCK = "ctid";

    /**
     * Ranges of {@code blocksPerChunk} heap blocks of {@code table}, in its physical order, from the
     * first block to the last when the run started and, with no upper bound, beyond: each chunk reads
     * and writes its pages once, by a TID range scan, with no index. For fills
     * ({@link #fill}) only: an update that cannot stay on its page (no room for a HOT update) moves the
     * row to another block, where a later chunk finds it again, so a fill by block ranges sets only rows
     * whose value differs from the expression's.
     */
    public static ChunkSource blockRanges(String table, long blocksPerChunk) {
        String quotedTable = PostgresIdentifiers.qualified(null, table);
        return KeyRanges.of(table, BLOCK, blocksPerChunk, (connection, blocks) -> {
            try (PreparedStatement size = connection.prepareStatement("SELECT pg_catalog.pg_relation_size(?::regclass)"
                    + " / current_setting('block_size')::bigint")) {
                size.setString(1, quotedTable);
                try (ResultSet row = size.executeQuery()) {
                    row.next();
                    long count = row.getLong(1);
                    return count == 0 ? KeySpan.empty(blocks) : new KeySpan(0, count - 1, count, blocks);
                }
            }
        });
    }

    private static boolean byBlocks(Chunk chunk) {
        return chunk instanceof Chunk.KeyRange range && range.keyColumn().equals(BLOCK);
    }

    /** The key's bounds, and the planner's row estimate to cut them by. */
    private static KeySpan span(Connection connection, String quotedTable, String quotedKey, long rowsPerChunk) throws SQLException {
        try (PreparedStatement bounds = connection.prepareStatement("SELECT min(" + quotedKey + "), max(" + quotedKey
                + "), (SELECT reltuples::bigint FROM pg_catalog.pg_class WHERE oid = ?::regclass) FROM " + quotedTable)) {
            bounds.setString(1, quotedTable);
            try (ResultSet row = bounds.executeQuery()) {
                row.next();
                long min = row.getLong(1);
                return row.wasNull() ? KeySpan.empty(rowsPerChunk)
                        : new KeySpan(min, row.getLong(2), Math.max(row.getLong(3), 0), rowsPerChunk);
            }
        }
    }

    /**
     * The partitions of a declaratively partitioned table ({@code pg_inherits}), with their row
     * estimates; operations on them update the partition table directly.
     */
    public static ChunkSource partitions(String parentTable) {
        String quoted = PostgresIdentifiers.qualified(null, parentTable);
        String from = " FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::regclass";
        return ChunkSource.counted(connection -> stream(connection, "SELECT c.relname, greatest(c.reltuples, 0)::bigint" + from
                + " ORDER BY c.relname", quoted, row -> new Chunk.Partition(parentTable, row.getString(1), row.getLong(2))),
                connection -> count(connection, "SELECT count(*)" + from, quoted));
    }

    /**
     * Tables of the current schema named {@code <prefix>_<number>}, such as the {@code Object_1234}
     * chunks of a catalog, streamed from the catalog (a catalog may hold 100,000 of them).
     */
    public static ChunkSource chunkTables(String prefix) {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, prefix);
        String from = " FROM pg_catalog.pg_class WHERE relkind IN ('r', 'p') AND relnamespace = current_schema()::regnamespace"
                + " AND relname ~ ('^' || ? || '_[0-9]+$')";
        return ChunkSource.counted(connection -> stream(connection, "SELECT relname, greatest(reltuples, 0)::bigint" + from
                + " ORDER BY relname", prefix, row -> new Chunk.ChunkTable(row.getString(1), row.getLong(2))),
                connection -> count(connection, "SELECT count(*)" + from, prefix));
    }

    /**
     * Sets {@code column} to {@code expression} in a chunk, only where it is still NULL when
     * {@code onlyNull} (so that a fill resumed after a crash leaves finished rows alone even
     * without checkpoints). The expression is trusted SQL, like a default, and refused when it
     * could end the statement.
     */
    public static ChunkOperation fill(String column, String expression, boolean onlyNull) {
        String quoted = PostgresIdentifiers.RULES.quote(Kind.COLUMN, null, column);
        ChunkOperation byKey = update(column, expression, onlyNull ? quoted + " IS NULL" : null);
        // by blocks, a row moved ahead by its update is met again: set only what differs
        ChunkOperation byBlock = updating(column, expression, (onlyNull ? quoted + " IS NULL AND " : "") + quoted
                + " IS DISTINCT FROM (" + expression + ")");
        return ChunkOperation.described((connection, chunk) -> (byBlocks(chunk) ? byBlock : byKey).apply(connection, chunk),
                (connection, chunk) -> (byBlocks(chunk) ? byBlock : byKey).describe(connection, chunk));
    }

    /**
     * Sets {@code column} to {@code expression} in the rows of a chunk that match {@code predicate} (all
     * when null). Not over {@linkplain #blockRanges block ranges}, where a row may be met twice.
     */
    public static ChunkOperation update(String column, String expression, String predicate) {
        ChunkOperation update = updating(column, expression, predicate);
        return ChunkOperation.described((connection, chunk) -> {
            if (byBlocks(chunk)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, chunk.table(), column, "an update over block"
                        + " ranges could set a row twice (an updated row may move to a later block): update by key"
                        + " ranges, or fill a column with an expression", null);
            }
            return update.apply(connection, chunk);
        }, update::describe);
    }

    private static ChunkOperation updating(String column, String expression, String predicate) {
        PostgresIdentifiers.RULES.check(Kind.COLUMN, null, column);
        new ColumnDefault.Expression(expression);
        if (predicate != null) {
            new ColumnDefault.Expression(predicate);
        }
        ChunkOperation work = (connection, chunk) -> {
            try (PreparedStatement update = connection.prepareStatement(updateSql(chunk, column, expression, predicate))) {
                bindRange(update, chunk);
                return update.executeUpdate();
            }
        };
        return ChunkOperation.described(work, (connection, chunk) -> "in place, one UPDATE per chunk in its own transaction"
                + " (row locks of the chunk only): " + updateSql(chunk, column, expression, predicate)
                + (chunk instanceof Chunk.KeyRange range ? " with the range [" + range.from() + ", "
                + (range.open() ? "and above" : range.to() + ")") : ""));
    }

    private static String updateSql(Chunk chunk, String column, String expression, String predicate) {
        String where = chunkCondition(chunk);
        if (predicate != null) {
            where = (where.isEmpty() ? "" : where + " AND ") + "(" + predicate + ")";
        }
        return "UPDATE " + target(chunk) + " SET " + PostgresIdentifiers.column(chunk.table(), column) + " = " + expression
                + (where.isEmpty() ? "" : " WHERE " + where);
    }

    /**
     * Fills {@code column} of each chunk table by rewriting the table once: {@code ALTER TABLE ...
     * ALTER COLUMN ... TYPE <its own type> USING (expression)} writes a new copy of the table with the
     * column computed and rebuilds its indexes, in the chunk's transaction, with its checkpoint. Every
     * row is written once, without the dead row versions an UPDATE leaves, so it costs about what
     * {@code CREATE TABLE AS SELECT} costs; the table keeps its identity, grants, indexes, constraints
     * and triggers. The price: the chunk table is locked (ACCESS EXCLUSIVE, readers too) while it is
     * rewritten, so it suits chunk tables of a catalog, each small beside the whole; taking the lock
     * waits at most {@code lockTimeout}, then the chunk is retried. Works on chunk tables only: a
     * partition's column type cannot be altered alone, and a key range is not a table.
     */
    public static ChunkOperation rewrite(String column, String expression, Duration lockTimeout) {
        return rewrite(column, expression, null, lockTimeout);
    }

    /** {@link #rewrite(String, String, Duration)} of the rows that match {@code predicate}; the others keep their value. */
    public static ChunkOperation rewrite(String column, String expression, String predicate, Duration lockTimeout) {
        String quoted = PostgresIdentifiers.RULES.quote(Kind.COLUMN, null, column);
        new ColumnDefault.Expression(expression);
        if (predicate != null) {
            new ColumnDefault.Expression(predicate);
        }
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        String using = predicate == null ? "(" + expression + ")"
                : "(CASE WHEN (" + predicate + ") THEN (" + expression + ") ELSE " + quoted + " END)";
        ChunkOperation work = (connection, chunk) -> {
            Chunk.ChunkTable table = chunkTableOf(chunk, column);
            PostgresHistory.setLockTimeout(connection, lockTimeout, !connection.getAutoCommit());
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute(rewriteSql(connection, table, column, using));
            } catch (SQLException e) {
                if (FEATURE_NOT_SUPPORTED.equals(e.getSQLState())) {
                    throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table.table(), column, "cannot rewrite "
                            + table.table() + " (" + e.getMessage().strip() + "); fill it in place with PostgresChunks.fill", e);
                }
                throw e;
            }
            return table.estimatedRows();
        };
        return ChunkOperation.described(work, (connection, chunk) -> "rewrite of each chunk table once (ACCESS EXCLUSIVE"
                + " on the chunk table while it is written, at most " + lockTimeout.toMillis() + " ms waited for it): "
                + rewriteSql(connection, chunkTableOf(chunk, column), column, using));
    }

    private static String rewriteSql(Connection connection, Chunk.ChunkTable table, String column, String using)
            throws SQLException {
        return "ALTER TABLE " + target(table) + " ALTER COLUMN " + PostgresIdentifiers.column(table.table(), column)
                + " TYPE " + currentType(connection, table.table(), column) + " USING " + using;
    }

    /** The column's type as the catalog spells it, refused unless it is plainly a type name, and its collation the type's own. */
    private static String currentType(Connection connection, String table, String column) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT pg_catalog.format_type(a.atttypid, a.atttypmod),"
                + " a.attcollation = t.typcollation FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " WHERE a.attrelid = ?::regclass AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped")) {
            select.setString(1, PostgresIdentifiers.qualified(null, table));
            select.setString(2, column);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, column,
                            "column " + column + " does not exist in " + table, null);
                }
                String type = row.getString(1);
                if (!TYPE_NAME.matcher(type).matches() || !row.getBoolean(2)) {
                    throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, column, "column " + column + " of "
                            + table + " has type " + type + (row.getBoolean(2) ? "" : " with a collation of its own")
                            + ", which a rewrite does not reproduce; fill it in place with PostgresChunks.fill", null);
                }
                return type;
            }
        }
    }

    private static Chunk.ChunkTable chunkTableOf(Chunk chunk, String column) {
        if (chunk instanceof Chunk.ChunkTable table) {
            return table;
        }
        throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, chunk.table(), column, "a PostgreSQL rewrite works on"
                + " chunk tables (PostgresChunks.chunkTables): a partition's column type cannot be altered alone, and a key"
                + " range is not a table; fill " + chunk.id() + " in place with PostgresChunks.fill", null);
    }

    /** Empties {@code column} in a chunk (NULL where it holds a value). */
    public static ChunkOperation clear(String column) {
        String quoted = PostgresIdentifiers.RULES.quote(Kind.COLUMN, null, column);
        return update(column, "NULL", quoted + " IS NOT NULL");
    }

    /**
     * The same {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS} on every chunk table: idempotent, and
     * a catalog change for a nullable column without default.
     */
    public static ChunkOperation addColumn(io.github.schemaevolution.api.model.Column column) {
        PostgresIdentifiers.RULES.check(Kind.COLUMN, null, column.name());
        ChunkOperation work = (connection, chunk) -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute(addColumnSql(chunk, column));
            }
            return 0;
        };
        return ChunkOperation.described(work, (connection, chunk) -> "DDL on every chunk table, each in its own transaction: "
                + addColumnSql(chunk, column));
    }

    private static String addColumnSql(Chunk chunk, io.github.schemaevolution.api.model.Column column) {
        return "ALTER TABLE " + target(chunk) + " ADD COLUMN IF NOT EXISTS " + PostgresIdentifiers.column(chunk.table(),
                column.name()) + " " + PostgresTypes.sql(column.type(), chunk.table(), column.name());
    }

    /**
     * Checks that every chunk table named {@code <prefix>_<number>} in the current schema has the same
     * columns (names, types, order) as most of them.
     *
     * @throws SchemaEvolutionException SCHEMA_DRIFT with the {@link #schemaReport report} of the tables that differ
     */
    public static void verifySameSchema(Connection connection, String prefix) throws SQLException {
        schemaReport(connection, prefix, new SchemaSameness(prefix + "_*")).requireAcceptable();
    }

    /**
     * The schemas of the chunk tables named {@code <prefix>_<number>} in the current schema, as data: the
     * columns most of them have, and each other schema with its tables and its differences. A spare
     * column (named with {@link io.github.schemaevolution.api.model.ReservePolicy#DEFAULT_PREFIX}) that
     * some tables have and others not yet is an allowed difference. One catalog query.
     */
    public static SchemaReport schemaReport(DataSource dataSource, String prefix) {
        try (Connection connection = dataSource.getConnection()) {
            return schemaReport(connection, prefix, new SchemaSameness(prefix + "_*")
                    .allowingSpares(io.github.schemaevolution.api.model.ReservePolicy.DEFAULT_PREFIX));
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, prefix + "_*", null, "cannot read the chunk tables'"
                    + " columns: " + e.getMessage(), e);
        }
    }

    private static SchemaReport schemaReport(Connection connection, String prefix, SchemaSameness sameness) throws SQLException {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, prefix);
        String sql = "SELECT c.relname, string_agg(a.attname || E'\\t' || format_type(a.atttypid, a.atttypmod), E'\\n'"
                + " ORDER BY a.attnum) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
                + " AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"
                + " AND c.relname ~ ('^' || ? || '_[0-9]+$') GROUP BY c.relname ORDER BY c.relname";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, prefix);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    sameness.add(row.getString(1), row.getString(2));
                }
            }
        }
        return sameness.report();
    }

    private static String target(Chunk chunk) {
        if (chunk instanceof Chunk.Partition partition) {
            return PostgresIdentifiers.qualified(null, partition.partition());
        }
        return PostgresIdentifiers.qualified(null, chunk.table());
    }

    /** Binds the bounds of a key or block range to the parameters of its {@link #chunkCondition}. */
    static void bindRange(PreparedStatement statement, Chunk chunk) throws SQLException {
        if (chunk instanceof Chunk.KeyRange range) {
            // the first range reaches down to every key; blocks start at 0
            statement.setLong(1, byBlocks(chunk) ? Math.max(0, range.from()) : range.from());
            if (!range.open()) {
                statement.setLong(2, range.to());
            }
        }
    }

    /** The rows of a key or block range, with its bounds as parameters; empty for a chunk that is a whole table. */
    static String chunkCondition(Chunk chunk) {
        if (byBlocks(chunk)) {
            Chunk.KeyRange range = (Chunk.KeyRange) chunk;
            String from = "ctid >= ('(' || ? || ',0)')::tid";
            return range.open() ? from : from + " AND ctid < ('(' || ? || ',0)')::tid";
        }
        if (chunk instanceof Chunk.KeyRange range) {
            String key = PostgresIdentifiers.column(range.table(), range.keyColumn());
            return range.open() ? key + " >= ?" : key + " >= ? AND " + key + " < ?";
        }
        return "";
    }

    private static long count(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Streams a catalog query's rows as chunks; the statement closes with the stream. */
    private static Stream<Chunk> stream(Connection connection, String sql, String parameter, ChunkStreams.RowMapper mapper)
            throws SQLException {
        PreparedStatement select = connection.prepareStatement(sql);
        select.setFetchSize(1_000);
        select.setString(1, parameter);
        return ChunkStreams.fromQuery(select, mapper);
    }

}
