package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.ChunkStreams;
import io.github.schemaevolution.api.chunk.SchemaSameness;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Chunks and chunk operations on PostgreSQL. Chunks: key ranges of one table (split by its integer
 * key, sized from the planner's statistics), the partitions of a partitioned table, or per-chunk
 * tables ({@code <prefix>_<number>}). Operations: fill, update with a predicate, clear, and the same
 * DDL on every chunk table; each chunk is one short transaction (never a table-wide lock: an UPDATE
 * of a key range locks only the rows of its range).
 */
public final class PostgresChunks {
    private PostgresChunks() {
    }

    /**
     * Ranges of {@code keyColumn} (an integer column) of about {@code rowsPerChunk} rows each, from
     * {@code min(key)} to {@code max(key)}; generated lazily, so a billion-row table costs no memory.
     */
    public static ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk) {
        String quotedTable = PostgresIdentifiers.qualified(null, table);
        String quotedKey = PostgresIdentifiers.column(table, keyColumn);
        if (rowsPerChunk < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, keyColumn, "rows per chunk must be positive", null);
        }
        return connection -> {
            long min;
            long max;
            try (PreparedStatement bounds = connection.prepareStatement("SELECT min(" + quotedKey + "), max(" + quotedKey
                    + "), (SELECT reltuples::bigint FROM pg_catalog.pg_class WHERE oid = ?::regclass) FROM " + quotedTable)) {
                bounds.setString(1, quotedTable);
                try (ResultSet row = bounds.executeQuery()) {
                    row.next();
                    min = row.getLong(1);
                    if (row.wasNull()) {
                        return Stream.empty();
                    }
                    max = row.getLong(2);
                    long estimated = Math.max(row.getLong(3), 0);
                    long span = max - min + 1;
                    long width = estimated <= 0 ? rowsPerChunk : Math.max(1, span * rowsPerChunk / Math.max(estimated, 1));
                    long chunks = (span + width - 1) / width;
                    long rowsEach = estimated <= 0 ? 0 : Math.max(1, estimated / chunks);
                    return LongStream.range(0, chunks).mapToObj(i -> new Chunk.KeyRange(table, keyColumn,
                            min + i * width, Math.min(max + 1, min + (i + 1) * width), rowsEach));
                }
            }
        };
    }

    /**
     * The partitions of a declaratively partitioned table ({@code pg_inherits}), with their row
     * estimates; operations on them update the partition table directly.
     */
    public static ChunkSource partitions(String parentTable) {
        String quoted = PostgresIdentifiers.qualified(null, parentTable);
        return connection -> stream(connection, "SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_inherits i"
                + " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::regclass ORDER BY c.relname",
                quoted, row -> new Chunk.Partition(parentTable, row.getString(1), row.getLong(2)));
    }

    /**
     * Tables of the current schema named {@code <prefix>_<number>}, such as the {@code Object_1234}
     * chunks of a catalog, streamed from the catalog (a catalog may hold 100,000 of them).
     */
    public static ChunkSource chunkTables(String prefix) {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, prefix);
        return connection -> stream(connection, "SELECT relname, greatest(reltuples, 0)::bigint FROM pg_catalog.pg_class"
                + " WHERE relkind IN ('r', 'p') AND relnamespace = current_schema()::regnamespace"
                + " AND relname ~ ('^' || ? || '_[0-9]+$') ORDER BY relname",
                prefix, row -> new Chunk.ChunkTable(row.getString(1), row.getLong(2)));
    }

    /**
     * Sets {@code column} to {@code expression} in a chunk, only where it is still NULL when
     * {@code onlyNull} (so that a fill resumed after a crash leaves finished rows alone even
     * without checkpoints). The expression is trusted SQL, like a default, and refused when it
     * could end the statement.
     */
    public static ChunkOperation fill(String column, String expression, boolean onlyNull) {
        String quoted = PostgresIdentifiers.RULES.quote(Kind.COLUMN, null, column);
        return update(column, expression, onlyNull ? quoted + " IS NULL" : null);
    }

    /** Sets {@code column} to {@code expression} in the rows of a chunk that match {@code predicate} (all when null). */
    public static ChunkOperation update(String column, String expression, String predicate) {
        new ColumnDefault.Expression(expression);
        if (predicate != null) {
            new ColumnDefault.Expression(predicate);
        }
        return (connection, chunk) -> {
            String target = target(chunk);
            String quoted = PostgresIdentifiers.column(chunk.table(), column);
            String where = chunkCondition(chunk);
            if (predicate != null) {
                where = (where.isEmpty() ? "" : where + " AND ") + "(" + predicate + ")";
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + target + " SET " + quoted + " = "
                    + expression + (where.isEmpty() ? "" : " WHERE " + where))) {
                if (chunk instanceof Chunk.KeyRange range) {
                    update.setLong(1, range.from());
                    update.setLong(2, range.to());
                }
                return update.executeUpdate();
            }
        };
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
        return (connection, chunk) -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("ALTER TABLE " + target(chunk) + " ADD COLUMN IF NOT EXISTS "
                        + PostgresIdentifiers.column(chunk.table(), column.name()) + " "
                        + PostgresTypes.sql(column.type(), chunk.table(), column.name()));
            }
            return 0;
        };
    }

    /**
     * Checks that every chunk table named {@code <prefix>_<number>} has the same columns (names,
     * types, order) and names those that differ from the schema most of them have.
     *
     * @throws SchemaEvolutionException SCHEMA_DRIFT listing the odd tables (at most 50 named)
     */
    public static void verifySameSchema(Connection connection, String prefix) throws SQLException {
        PostgresIdentifiers.RULES.check(Kind.TABLE, null, prefix);
        SchemaSameness sameness = new SchemaSameness(prefix + "_*");
        String sql = "SELECT c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"
                + " AND c.relname ~ ('^' || ? || '_[0-9]+$') GROUP BY c.relname";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, prefix);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    sameness.add(row.getString(1), row.getString(2));
                }
            }
        }
        sameness.check();
    }

    private static String target(Chunk chunk) {
        if (chunk instanceof Chunk.Partition partition) {
            return PostgresIdentifiers.qualified(null, partition.partition());
        }
        return PostgresIdentifiers.qualified(null, chunk.table());
    }

    private static String chunkCondition(Chunk chunk) {
        if (chunk instanceof Chunk.KeyRange range) {
            String key = PostgresIdentifiers.column(range.table(), range.keyColumn());
            return key + " >= ? AND " + key + " < ?";
        }
        return "";
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
