package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sets a column to an expression in the rows of a chunk (a partition, or a key range of the sort
 * key) that match a predicate: a lightweight {@code UPDATE} where the table allows it, which patches
 * the parts and returns when done; otherwise a mutation, submitted without waiting and awaited in
 * {@code system.mutations}. Idempotent: the value is computed from the row's other columns (an
 * expression that reads the column it writes is refused, see {@link ClickHouseChunks#repeatable}).
 */
final class InPlaceUpdate implements ChunkOperation {
    private static final IdentifierRules IDENTIFIERS = ClickHouseChunks.IDENTIFIERS;

    private final String column;
    private final String expression;
    private final String predicate;
    private final Duration deadline;
    /** Whether each table allows lightweight updates, asked once per table. */
    private final Map<String, Boolean> lightweight = new ConcurrentHashMap<>();

    InPlaceUpdate(String column, String expression, String predicate, Duration deadline) {
        this.column = IDENTIFIERS.check(Kind.COLUMN, null, column);
        this.expression = ClickHouseChunks.repeatable(null, column, new ColumnDefault.Expression(expression).sql(), "update");
        this.predicate = predicate == null ? null : new ColumnDefault.Expression(predicate).sql();
        this.deadline = deadline;
    }

    @Override
    public long apply(Connection connection, Chunk chunk) throws SQLException {
        Scope scope = Scope.of(chunk, column);
        boolean light = lightweight.computeIfAbsent(chunk.table(), table -> ClickHouseChunks.allowsLightweightUpdate(connection, table));
        try (PreparedStatement update = connection.prepareStatement(light ? lightweightSql(scope, false) : mutationSql(scope, false))) {
            scope.bind(update);
            update.executeUpdate();
        }
        if (!light) {
            ClickHouseChunks.awaitMutations(connection, chunk.table(), chunk.id(), deadline);
        }
        return chunk.estimatedRows();
    }

    @Override
    public String describe(Connection connection, Chunk chunk) {
        Scope scope = Scope.of(chunk, column);
        return ClickHouseChunks.allowsLightweightUpdate(connection, chunk.table())
                ? "in place, a lightweight UPDATE per chunk (the table has block number and offset columns): "
                        + lightweightSql(scope, true)
                : "in place, a mutation per chunk, awaited in system.mutations (lightweight updates need the table settings"
                        + " enable_block_number_column and enable_block_offset_column): " + mutationSql(scope, true);
    }

    private String lightweightSql(Scope scope, boolean literal) {
        return "UPDATE " + IDENTIFIERS.qualified(null, scope.table()) + " SET " + quotedColumn(scope) + " = " + expression
                + " WHERE " + where(scope.condition(literal));
    }

    private String mutationSql(Scope scope, boolean literal) {
        // a partition's mutation names it, so that it only rewrites that partition's parts
        return "ALTER TABLE " + IDENTIFIERS.qualified(null, scope.table()) + " UPDATE " + quotedColumn(scope) + " = " + expression
                + scope.inPartition(literal) + " WHERE " + where(scope.mutationCondition(literal)) + " SETTINGS mutations_sync = 0";
    }

    private String quotedColumn(Scope scope) {
        return IDENTIFIERS.quote(Kind.COLUMN, scope.table(), column);
    }

    /** The chunk's condition ({@code null} when the chunk is named otherwise) and the predicate's. */
    private String where(String chunkCondition) {
        String rows = predicate == null ? null : "(" + predicate + ")";
        if (chunkCondition == null) {
            return rows == null ? "1" : rows;
        }
        return rows == null ? chunkCondition : chunkCondition + " AND " + rows;
    }

    /** Which rows of its table a chunk covers, as SQL with placeholders (bound by {@link #bind}) or literals. */
    private record Scope(Chunk chunk) {
        static Scope of(Chunk chunk, String column) {
            if (chunk instanceof Chunk.Partition || chunk instanceof Chunk.KeyRange) {
                return new Scope(chunk);
            }
            throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, chunk.table(), column, "a ClickHouse update"
                    + " works on partitions (ClickHouseChunks.partitions) and key ranges (ClickHouseChunks.keyRanges); got "
                    + chunk.id(), null);
        }

        String table() {
            return chunk.table();
        }

        /** The rows, for a lightweight UPDATE. */
        String condition(boolean literal) {
            if (chunk instanceof Chunk.Partition partition) {
                return "_partition_id = " + (literal ? ClickHouseSql.string(partition.partition()) : "?");
            }
            return keyCondition(literal);
        }

        /** {@code IN PARTITION ID ...} for a partition's mutation, nothing for a key range's. */
        String inPartition(boolean literal) {
            return chunk instanceof Chunk.Partition partition
                    ? " IN PARTITION ID " + (literal ? ClickHouseSql.string(partition.partition()) : "?") : "";
        }

        /** The rows, for a mutation: none for a partition, whose rows {@link #inPartition} names. */
        String mutationCondition(boolean literal) {
            return chunk instanceof Chunk.Partition ? null : keyCondition(literal);
        }

        private String keyCondition(boolean literal) {
            Chunk.KeyRange range = (Chunk.KeyRange) chunk;
            String key = IDENTIFIERS.quote(Kind.COLUMN, range.table(), range.keyColumn());
            String from = key + " >= " + (literal ? range.from() : "?");
            return range.open() ? from : from + " AND " + key + " < " + (literal ? range.to() : "?");
        }

        void bind(PreparedStatement statement) throws SQLException {
            if (chunk instanceof Chunk.Partition partition) {
                statement.setString(1, partition.partition());
            } else {
                Chunk.KeyRange range = (Chunk.KeyRange) chunk;
                statement.setLong(1, range.from());
                if (!range.open()) {
                    statement.setLong(2, range.to());
                }
            }
        }
    }
}
