package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.Chunks;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import javax.sql.DataSource;

/**
 * {@link ClickHouseChunks} in the shape every dialect shares. A rewrite and a clear work a partition at
 * a time; fills and updates work in place on partitions and key ranges, each waiting at most
 * {@link Chunks.Options#chunkWait()} for its mutation. A fill of only the rows still NULL is an update with
 * the predicate {@code isNull(column)}.
 */
final class ClickHouseChunkOperations implements Chunks {
    static final ClickHouseChunkOperations INSTANCE = new ClickHouseChunkOperations();

    private ClickHouseChunkOperations() {
    }

    @Override
    public ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk) {
        return ClickHouseChunks.keyRanges(table, keyColumn, rowsPerChunk);
    }

    @Override
    public ChunkSource partitions(String table) {
        return ClickHouseChunks.partitions(table);
    }

    @Override
    public ChunkSource chunkTables(String prefix) {
        return ClickHouseChunks.chunkTables(prefix);
    }

    @Override
    public ChunkSource rewriteChunks(String table, String prefix) {
        return ClickHouseChunks.partitions(table);
    }

    @Override
    public ChunkOperation fill(String column, String expression, Options options) {
        return options.onlyNull()
                ? ClickHouseChunks.update(column, expression, "isNull(" + ClickHouseChunks.IDENTIFIERS.quote(Kind.COLUMN, null, column)
                + ")", options.chunkWait())
                : ClickHouseChunks.fill(column, expression, options.chunkWait());
    }

    @Override
    public ChunkOperation update(String column, String expression, String predicate, Options options) {
        return ClickHouseChunks.update(column, expression, predicate, options.chunkWait());
    }

    @Override
    public ChunkOperation clear(String column, Options options) {
        return ClickHouseChunks.clear(column, options.chunkWait());
    }

    @Override
    public ChunkOperation rewrite(String table, String column, String expression, Options options) {
        return ClickHouseChunks.rewrite(table, column, expression);
    }

    @Override
    public ChunkOperation addColumn(Column column) {
        return ClickHouseChunks.addColumn(column);
    }

    @Override
    public SchemaReport schemaReport(DataSource dataSource, String prefix) {
        return ClickHouseChunks.schemaReport(dataSource, prefix);
    }
}
