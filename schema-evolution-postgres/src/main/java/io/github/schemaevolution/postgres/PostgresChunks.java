package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Chunks and chunk operations on PostgreSQL: key ranges of one table, split by its integer primary
 * key and sized from the planner's statistics, and a fill of a column from an expression, one short
 * transaction per range (never a table-wide lock: each UPDATE locks only the rows of its range).
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
     * Sets {@code column} to {@code expression} for the rows of a key-range chunk, only where it is
     * still NULL when {@code onlyNull} (so that a fill resumed after a crash leaves finished rows
     * alone even without checkpoints). The expression is trusted SQL, like a default, and refused
     * when it could end the statement.
     */
    public static ChunkOperation fill(String column, String expression, boolean onlyNull) {
        new ColumnDefault.Expression(expression);
        return (connection, chunk) -> {
            if (!(chunk instanceof Chunk.KeyRange range)) {
                throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, chunk.table(), column,
                        "fill works on key-range chunks; got " + chunk.id(), null);
            }
            PostgresIdentifiers.RULES.check(Kind.COLUMN, range.table(), column);
            String quoted = PostgresIdentifiers.column(range.table(), column);
            String key = PostgresIdentifiers.column(range.table(), range.keyColumn());
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + PostgresIdentifiers.qualified(null, range.table())
                    + " SET " + quoted + " = " + expression + " WHERE " + key + " >= ? AND " + key + " < ?"
                    + (onlyNull ? " AND " + quoted + " IS NULL" : ""))) {
                update.setLong(1, range.from());
                update.setLong(2, range.to());
                return update.executeUpdate();
            }
        };
    }

}
