package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.model.Column;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Objects;

/**
 * The chunk sources and operations of one engine, in one shape for every engine
 * ({@link io.github.schemaevolution.spi.Dialect#chunks()}), so that code which fills, updates, clears or
 * rewrites a column over chunks, or changes every chunk table, never asks which engine it runs on.
 * What an engine cannot do is refused with FEATURE_UNSUPPORTED before any chunk runs; which
 * chunks suit an operation on which engine is said by {@link #rewriteChunks}.
 *
 * <p>Expressions and predicates are trusted SQL of the engine, like defaults, refused when they could
 * end the statement.
 */
public interface Chunks {
    /** Ranges of about {@code rowsPerChunk} rows of the integer {@code keyColumn} of {@code table}. */
    ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk);

    /** The partitions of {@code table}. */
    ChunkSource partitions(String table);

    /** The tables named {@code <prefix>_<number>}: the chunk tables of a catalog. */
    ChunkSource chunkTables(String prefix);

    /**
     * The chunks {@link #rewrite} works on for a table split this way: the chunk tables of
     * {@code prefix} where the engine rewrites a table at a time (PostgreSQL), the partitions of
     * {@code table} where it rewrites a partition at a time (ClickHouse).
     */
    ChunkSource rewriteChunks(String table, String prefix);

    /** Sets {@code column} to {@code expression} in every row of each chunk, in place. */
    ChunkOperation fill(String column, String expression, Options options);

    /** Sets {@code column} to {@code expression} in the rows of each chunk that match {@code predicate}, in place. */
    ChunkOperation update(String column, String expression, String predicate, Options options);

    /** Empties {@code column} (NULL, or the type's default) in each chunk, so that it can return to the pool. */
    ChunkOperation clear(String column, Options options);

    /**
     * Fills {@code column} of {@code table} by writing each chunk once with the column computed: cheaper
     * than an in-place fill of most rows, at the price of the chunk being replaced (see the dialect's own
     * description in the plan). Over {@link #rewriteChunks}.
     */
    ChunkOperation rewrite(String table, String column, String expression, Options options);

    /** The same {@code ADD COLUMN} on every chunk table; a chunk table that has the column already is left alone. */
    ChunkOperation addColumn(Column column);

    /** The schemas of the chunk tables {@code <prefix>_<number>} as data; spares missing on some tables are allowed. */
    SchemaReport schemaReport(DataSource dataSource, String prefix);

    /**
     * How an operation waits and what it leaves alone.
     *
     * @param chunkWait the longest wait for one chunk: a table lock (PostgreSQL's {@code lock_timeout}) or a
     *                 mutation to finish (ClickHouse)
     * @param onlyNull a fill sets only the rows where the column is still NULL
     */
    record Options(Duration chunkWait, boolean onlyNull) {
        /** Five minutes per chunk, every row. */
        public static final Options DEFAULT = new Options(Duration.ofMinutes(5), false);

        public Options {
            Objects.requireNonNull(chunkWait, "chunkWait");
            if (chunkWait.isNegative() || chunkWait.isZero()) {
                throw new IllegalArgumentException("the wait per chunk must be positive, got " + chunkWait);
            }
        }

        /** As these options, waiting at most {@code newWait} per chunk. */
        public Options withChunkWait(Duration newWait) {
            return new Options(newWait, onlyNull);
        }

        /** As these options, a fill setting only the rows where the column is still NULL. */
        public Options onlyWhereNull() {
            return new Options(chunkWait, true);
        }
    }
}
