package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.Chunks;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.model.Column;

import javax.sql.DataSource;

/**
 * {@link PostgresChunks} in the shape every dialect shares. A rewrite works a chunk table at a time
 * ({@code ALTER TABLE ... TYPE ... USING}, each chunk table locked while it is rewritten, at most
 * {@link Chunks.Options#chunkWait()} to take the lock); fills, updates and clears work in place on any chunk.
 */
final class PostgresChunkOperations implements Chunks {
    static final PostgresChunkOperations INSTANCE = new PostgresChunkOperations();

    private PostgresChunkOperations() {
    }

    @Override
    public ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk) {
        return PostgresChunks.keyRanges(table, keyColumn, rowsPerChunk);
    }

    @Override
    public ChunkSource partitions(String table) {
        return PostgresChunks.partitions(table);
    }

    @Override
    public ChunkSource chunkTables(String prefix) {
        return PostgresChunks.chunkTables(prefix);
    }

    @Override
    public ChunkSource rewriteChunks(String table, String prefix) {
        return PostgresChunks.chunkTables(prefix);
    }

    @Override
    public ChunkOperation fill(String column, String expression, Options options) {
        return PostgresChunks.fill(column, expression, options.onlyNull());
    }

    @Override
    public ChunkOperation update(String column, String expression, String predicate, Options options) {
        return PostgresChunks.update(column, expression, predicate);
    }

    @Override
    public ChunkOperation clear(String column, Options options) {
        return PostgresChunks.clear(column);
    }

    @Override
    public ChunkOperation rewrite(String table, String column, String expression, Options options) {
        return PostgresChunks.rewrite(column, expression, options.chunkWait());
    }

    @Override
    public ChunkOperation addColumn(Column column) {
        return PostgresChunks.addColumn(column);
    }

    @Override
    public SchemaReport schemaReport(DataSource dataSource, String prefix) {
        return PostgresChunks.schemaReport(dataSource, prefix);
    }
}
