package io.github.schemaevolution.clickhouse;

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
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chunks and chunk operations on ClickHouse: the active partitions of a MergeTree table, or per-chunk
 * tables. A fill or update of a partition is a lightweight {@code UPDATE} where the table allows it
 * (settings {@code enable_block_number_column} and {@code enable_block_offset_column}); otherwise a
 * per-partition mutation ({@code ALTER TABLE ... UPDATE ... IN PARTITION}), submitted without waiting
 * and then awaited through {@code system.mutations} with a deadline, so that several partitions'
 * mutations run at once instead of paying each one's fixed latency in turn.
 */
public final class ClickHouseChunks {
    static final IdentifierRules IDENTIFIERS = new ClickHouseDialect().identifiers();

    private ClickHouseChunks() {
    }

    /**
     * The table's active partitions, with their row counts, from {@code system.parts}. The patch parts
     * of lightweight updates, which {@code system.parts} lists under partitions of their own
     * ({@code patch-<hash>-<partition>}), belong to the partitions they patch and are not chunks.
     */
    public static ChunkSource partitions(String table) {
        IDENTIFIERS.check(Kind.TABLE, null, table);
        return connection -> {
            List<Chunk> partitions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT partition_id, sum(rows) FROM system.parts"
                    + " WHERE database = currentDatabase() AND table = ? AND active AND NOT startsWith(partition_id, 'patch-')"
                    + " GROUP BY partition_id ORDER BY partition_id")) {
                select.setString(1, table);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        partitions.add(new Chunk.Partition(table, row.getString(1), row.getLong(2)));
                    }
                }
            }
            // partitions number in the thousands at most, unlike chunk tables: a list is fine here
            return partitions.stream();
        };
    }

    /**
     * Ranges of {@code keyColumn} (an integer column, best the first of the sort key, so that a range
     * reads few granules) of about {@code rowsPerChunk} rows each, for a table that is not partitioned
     * or whose partitions are too large to be chunks. Sized from {@code min}, {@code max} and
     * {@code count()}, which MergeTree answers from its metadata, with a range below and an open one
     * above for rows inserted during the run; generated lazily. The span is recorded when a run starts
     * ({@link KeyRanges}), so a resumed run cuts the same ranges whatever was inserted since.
     */
    public static ChunkSource keyRanges(String table, String keyColumn, long rowsPerChunk) {
        String quotedTable = IDENTIFIERS.qualified(null, table);
        String quotedKey = IDENTIFIERS.quote(Kind.COLUMN, table, keyColumn);
        return KeyRanges.of(table, keyColumn, rowsPerChunk, (connection, rows) -> span(connection, quotedTable, quotedKey, rows));
    }

    /** The key's bounds and the table's exact row count. */
    private static KeySpan span(java.sql.Connection connection, String quotedTable, String quotedKey, long rowsPerChunk)
            throws SQLException {
        try (PreparedStatement bounds = connection.prepareStatement("SELECT toInt64(min(" + quotedKey + ")), toInt64(max("
                + quotedKey + ")), count() FROM " + quotedTable);
             ResultSet row = bounds.executeQuery()) {
            row.next();
            return row.getLong(3) == 0 ? KeySpan.empty(rowsPerChunk) : new KeySpan(row.getLong(1), row.getLong(2), row.getLong(3), rowsPerChunk);
        }
    }

    /**
     * Tables of the current database named {@code <prefix>_<number>} (per-chunk tables of a catalog),
     * streamed from {@code system.tables}.
     */
    public static ChunkSource chunkTables(String prefix) {
        IDENTIFIERS.check(Kind.TABLE, null, prefix);
        String from = " FROM system.tables WHERE database = currentDatabase() AND match(name, concat('^', ?, '_[0-9]+$'))";
        return ChunkSource.counted(connection -> {
            PreparedStatement select = connection.prepareStatement("SELECT name, total_rows" + from + " ORDER BY name");
            select.setString(1, prefix);
            return ChunkStreams.fromQuery(select, row -> new Chunk.ChunkTable(row.getString(1), row.getLong(2)));
        }, connection -> {
            try (PreparedStatement count = connection.prepareStatement("SELECT count()" + from)) {
                count.setString(1, prefix);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    /** The same {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS} on every chunk table: metadata only, idempotent. */
    public static ChunkOperation addColumn(io.github.schemaevolution.api.model.Column column) {
        IDENTIFIERS.check(Kind.COLUMN, null, column.name());
        ChunkOperation work = (connection, chunk) -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute(addColumnSql(chunk, column));
            }
            return 0;
        };
        return ChunkOperation.described(work, (connection, chunk) -> "DDL on every chunk table (metadata only): "
                + addColumnSql(chunk, column));
    }

    private static String addColumnSql(Chunk chunk, io.github.schemaevolution.api.model.Column column) {
        return "ALTER TABLE " + IDENTIFIERS.qualified(null, chunk.table()) + " ADD COLUMN IF NOT EXISTS "
                + IDENTIFIERS.quote(Kind.COLUMN, chunk.table(), column.name()) + " " + column.type().sql();
    }

    /**
     * Checks that every chunk table named {@code <prefix>_<number>} of the current database has the same
     * columns (names, types, order) as most of them.
     *
     * @throws SchemaEvolutionException SCHEMA_DRIFT with the {@link #schemaReport report} of the tables that differ
     */
    public static void verifySameSchema(java.sql.Connection connection, String prefix) throws SQLException {
        schemaReport(connection, prefix, new SchemaSameness(prefix + "_*")).requireAcceptable();
    }

    /**
     * The schemas of the chunk tables named {@code <prefix>_<number>} of the current database, as data:
     * the columns most of them have, and each other schema with its tables and its differences. A spare
     * column (named with {@link io.github.schemaevolution.api.model.ReservePolicy#DEFAULT_PREFIX}) that
     * some tables have and others not yet is an allowed difference. One catalog query.
     */
    public static SchemaReport schemaReport(javax.sql.DataSource dataSource, String prefix) {
        try (java.sql.Connection connection = dataSource.getConnection()) {
            return schemaReport(connection, prefix, new SchemaSameness(prefix + "_*")
                    .allowingSpares(io.github.schemaevolution.api.model.ReservePolicy.DEFAULT_PREFIX));
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, prefix + "_*", null, "cannot read the chunk tables'"
                    + " columns: " + e.getMessage(), e);
        }
    }

    private static SchemaReport schemaReport(java.sql.Connection connection, String prefix, SchemaSameness sameness)
            throws SQLException {
        IDENTIFIERS.check(Kind.TABLE, null, prefix);
        try (PreparedStatement select = connection.prepareStatement("SELECT table, arrayStringConcat(groupArray(concat(name,"
                + " '\\t', type)), '\\n') FROM (SELECT table, name, type FROM system.columns WHERE database = currentDatabase()"
                + " AND match(table, concat('^', ?, '_[0-9]+$')) ORDER BY table, position) GROUP BY table ORDER BY table")) {
            select.setString(1, prefix);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    sameness.add(row.getString(1), row.getString(2));
                }
            }
        }
        return sameness.report();
    }

    /**
     * Sets {@code column} to {@code expression} in one chunk (a partition or a key range) in place: a
     * lightweight {@code UPDATE} where the table allows it, else a mutation awaited in
     * {@code system.mutations} (at most {@code deadline}); a mutation that fails surfaces its
     * {@code latest_fail_reason}. Idempotent: the value is computed from the row, so running a chunk
     * twice changes nothing.
     */
    public static ChunkOperation fill(String column, String expression, Duration deadline) {
        return update(column, expression, null, deadline);
    }

    /**
     * Sets {@code column} to {@code expression} in the rows of one chunk that match {@code predicate}
     * (all when null), as {@link #fill} does. ClickHouse does not say how many rows an update changed:
     * the rows reported are the chunk's.
     */
    public static ChunkOperation update(String column, String expression, String predicate, Duration deadline) {
        return new InPlaceUpdate(column, expression, predicate, Objects.requireNonNull(deadline, "deadline"));
    }

    /**
     * Fills {@code column} of {@code table} by rewriting each partition: a copy of the partition with
     * the column computed replaces it atomically ({@code INSERT ... SELECT}, then
     * {@code REPLACE PARTITION}). Every row is written once as a plain insert, which makes this the
     * cheapest way to fill most of a table; but it is for partitions nobody writes during the run
     * (closed months, frozen releases): a write noticed during a partition's copy sends the partition
     * back to be copied again, and one in the instant before its swap would be lost. Needs a
     * non-replicated MergeTree-family table. One operation serves one run at a time.
     */
    public static ChunkOperation rewrite(String table, String column, String expression) {
        return new PartitionRewrite(table, column, expression, null, () -> { });
    }

    /** {@link #rewrite(String, String, String)} of the rows that match {@code predicate}; the others keep their value. */
    public static ChunkOperation rewrite(String table, String column, String expression, String predicate) {
        return new PartitionRewrite(table, column, expression, Objects.requireNonNull(predicate, "predicate"), () -> { });
    }

    /**
     * Refuses, before any chunk runs, an expression that reads the column it writes: ClickHouse cannot
     * commit a chunk's change with its checkpoint, so a chunk cut off between the two (a killed
     * process) is run again, and {@code y = y + 1} would then add twice. An expression computed from
     * other columns sets the same value however often it runs, so those are exactly once in effect.
     */
    static String repeatable(String table, String column, String expression, String what) {
        if (io.github.schemaevolution.spi.SqlText.mentions(expression, column)) {
            throw new SchemaEvolutionException(ErrorCode.OPERATION_NOT_REPEATABLE, table, column, "a ClickHouse " + what
                    + " of " + column + " = " + expression + " reads the column it writes: ClickHouse has no transaction to"
                    + " commit a chunk with its checkpoint, so a chunk cut off between them runs again and would apply twice."
                    + " On ClickHouse, fills, updates and rewrites must compute the value from other columns (write the result"
                    + " into a new column, then switch readers to it); clears and ADD COLUMN are repeatable", null);
        }
        return expression;
    }

    private static Chunk.Partition partitionOf(Chunk chunk, String column, String what) {
        if (chunk instanceof Chunk.Partition partition) {
            return partition;
        }
        throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, chunk.table(), column,
                "a ClickHouse " + what + " works on partitions (ClickHouseChunks.partitions); got " + chunk.id(), null);
    }

    /**
     * Empties {@code column} in one partition ({@code CLEAR COLUMN ... IN PARTITION ID}: its files are
     * dropped from the partition's parts, and reads give the default, NULL for a Nullable column), and
     * waits for the mutation as {@link #fill} does. Idempotent.
     */
    public static ChunkOperation clear(String column, Duration deadline) {
        IDENTIFIERS.check(Kind.COLUMN, null, column);
        ChunkOperation work = (connection, chunk) -> {
            Chunk.Partition partition = partitionOf(chunk, column, "clear");
            try (PreparedStatement clear = connection.prepareStatement(clearColumn(partition, column, "?"))) {
                clear.setString(1, partition.partition());
                clear.executeUpdate();
            }
            awaitMutations(connection, partition.table(), partition.id(), deadline);
            return partition.estimatedRows();
        };
        return ChunkOperation.described(work, (connection, chunk) -> {
            Chunk.Partition partition = partitionOf(chunk, column, "clear");
            return "a mutation per partition that drops the column's files from its parts: "
                    + clearColumn(partition, column, ClickHouseSql.string(partition.partition()));
        });
    }

    private static String clearColumn(Chunk.Partition partition, String column, String partitionId) {
        return "ALTER TABLE " + IDENTIFIERS.qualified(null, partition.table()) + " CLEAR COLUMN IF EXISTS "
                + IDENTIFIERS.quote(Kind.COLUMN, partition.table(), column) + " IN PARTITION ID " + partitionId
                + " SETTINGS mutations_sync = 0";
    }

    /** Whether the table has the block number and offset columns a lightweight UPDATE needs. */
    static boolean allowsLightweightUpdate(java.sql.Connection connection, String table) {
        try (PreparedStatement select = connection.prepareStatement("SELECT engine_full FROM system.tables"
                + " WHERE database = currentDatabase() AND name = ?")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                String engine = row.next() ? row.getString(1) : "";
                return engine.contains("enable_block_number_column = 1") && engine.contains("enable_block_offset_column = 1");
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Waits until no mutation of the partition's table is left, at most {@code deadline}. All of the
     * table's count: a non-replicated table's {@code system.mutations} does not say which partitions a
     * mutation covers, and a mutation of one partition also passes over the others' parts. A failure
     * is reported with the failing mutation's command, which names its partition.
     */
    static void awaitMutations(java.sql.Connection connection, String table, String chunkId, Duration deadline)
            throws SQLException {
        Instant until = Instant.now().plus(deadline);
        long pause = 5;
        while (true) {
            try (PreparedStatement select = connection.prepareStatement("SELECT count(), argMax(latest_fail_reason,"
                    + " latest_fail_reason != ''), argMax(command, latest_fail_reason != ''),"
                    + " argMax(mutation_id, latest_fail_reason != '') FROM system.mutations"
                    + " WHERE database = currentDatabase() AND table = ? AND NOT is_done")) {
                select.setString(1, table);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    if (row.getLong(1) == 0) {
                        return;
                    }
                    String reason = row.getString(2);
                    if (reason != null && !reason.isEmpty()) {
                        // a failed mutation stays queued and blocks later ones until it is killed
                        throw new SQLException("mutation " + row.getString(4) + " " + row.getString(3) + " of " + table
                                + " failed: " + reason + " (it stays queued until KILL MUTATION WHERE mutation_id = '"
                                + row.getString(4) + "')", "HY000");
                    }
                }
            }
            if (Instant.now().isAfter(until)) {
                throw new SQLException("mutations of " + table + " not done within " + deadline + " (waiting for chunk "
                        + chunkId + ")", "HYT00");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for mutations of " + table, e);
            }
            pause = Math.min(pause * 2, 200);
        }
    }
}
