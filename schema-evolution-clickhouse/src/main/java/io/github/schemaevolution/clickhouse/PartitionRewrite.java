package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fills a column by rewriting each partition: the partition's rows are copied into a staging table
 * of the same structure with the column computed ({@code INSERT ... SELECT}), and the copy then
 * replaces the partition ({@code ALTER TABLE ... REPLACE PARTITION ... FROM}), which is atomic.
 * Every row is written once, as a plain insert: no mutation, no patch parts.
 *
 * <p>For partitions that nobody writes while the run goes (closed months, a frozen release). Rows
 * inserted or mutated in a partition between its copy and its swap would be lost, so the partition's
 * highest block number and data version are read before and after the copy; a change discards the
 * copy and the partition is retried. The last moments between that check and the swap are not
 * covered, which is why this is an explicit choice and not what {@link ClickHouseChunks#fill} does.
 *
 * <p>Idempotent: a partition rewritten twice holds the same values. A staging partition left by a
 * failed attempt is dropped before the partition is copied again. Each runner has a staging table of
 * its own, created when its run starts and dropped when it ends, however it ends; one whose process
 * was killed stays, and the next run over the table names it in a warning.
 */
final class PartitionRewrite implements ChunkOperation {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRewrite.class);
    private static final IdentifierRules IDENTIFIERS = ClickHouseChunks.IDENTIFIERS;
    private static final String STAGING_INFIX = "_se_rewrite_";
    /** Copies the rows as they are: materialized values kept, no merging of rows on insert, no deduplication. */
    private static final String COPY_SETTINGS = " SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0,"
            + " insert_deduplicate = 0";
    /**
     * The highest block number or data version of each partition's parts, its lightweight-update patch
     * parts counted with it: an insert or a mutation into a partition raises it, a merge does not.
     */
    private static final String WRITE_MARKS = "SELECT replaceRegexpOne(partition_id, '^patch-[0-9a-f]+-', '') AS patched,"
            + " max(greatest(max_block_number, data_version)) AS mark FROM system.parts"
            + " WHERE database = currentDatabase() AND table = ? AND active GROUP BY patched";

    private final String table;
    private final String column;
    private final String expression;
    private final String predicate;
    /** Partitions this run has started to copy: a second attempt first drops what the first left in staging. */
    private final Set<String> attempted = ConcurrentHashMap.newKeySet();
    /** Called between the copy and the check, so that a test can write into the partition there. */
    private final Runnable afterCopy;
    private volatile List<String> columns;
    /** Each partition's write mark when the run started: what a first attempt's copy is checked against. */
    private volatile Map<String, Long> marksAtStart = Map.of();
    private volatile String staging;

    PartitionRewrite(String table, String column, String expression, String predicate, Runnable afterCopy) {
        this.table = IDENTIFIERS.check(Kind.TABLE, null, table);
        // the staging tables' names are the table's and 29 characters more: too long is refused now, not mid-run
        IDENTIFIERS.check(Kind.TABLE, table, table + STAGING_INFIX + "00000000_00000000");
        this.column = IDENTIFIERS.check(Kind.COLUMN, table, column);
        this.expression = ClickHouseChunks.repeatable(table, column, new ColumnDefault.Expression(expression).sql(), "rewrite");
        this.predicate = predicate == null ? null : new ColumnDefault.Expression(predicate).sql();
        this.afterCopy = afterCopy;
    }

    @Override
    public void beforeRun(Connection connection, String runId) throws SQLException {
        checkEngine(connection);
        columns = copiedColumns(connection);
        // one staging table per runner, never shared: another runner of the same run (another instance)
        // must not see, replace or drop this runner's copies, nor swap them in
        staging = stagingName(runId, HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        attempted.clear();
        marksAtStart = writeMarks(connection, null);
        warnOfStaleStaging(connection);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + IDENTIFIERS.qualified(null, staging) + " AS " + IDENTIFIERS.qualified(null, table));
        }
    }

    @Override
    public void afterRun(Connection connection, String runId) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + IDENTIFIERS.qualified(null, staging));
        }
    }

    @Override
    public long apply(Connection connection, Chunk chunk) throws SQLException {
        Chunk.Partition partition = partitionOf(chunk);
        if (columns == null) {
            throw new IllegalStateException("a partition rewrite runs inside a ChunkRunner run, which prepares its staging table");
        }
        String id = partition.partition();
        long before;
        if (attempted.add(id)) {
            // a partition nobody writes still has the mark it had when the run started: one query fewer per partition
            before = marksAtStart.getOrDefault(id, 0L);
        } else {
            dropStagingPartition(connection, id);
            before = writeMark(connection, id);
        }
        try (PreparedStatement copy = connection.prepareStatement(copySql(staging, columns, "?"))) {
            copy.setString(1, id);
            copy.executeUpdate();
        }
        afterCopy.run();
        long after = writeMark(connection, id);
        if (after != before) {
            dropStagingPartition(connection, id);
            throw new SQLTransientException("partition " + id + " of " + table + " was written while it was being copied (block "
                    + before + " became " + after + "); the copy is discarded and the partition will be copied again");
        }
        try (PreparedStatement replace = connection.prepareStatement("ALTER TABLE " + IDENTIFIERS.qualified(null, table)
                + " REPLACE PARTITION ID ? FROM " + IDENTIFIERS.qualified(null, staging))) {
            replace.setString(1, id);
            replace.executeUpdate();
        }
        return partition.estimatedRows();
    }

    @Override
    public String describe(Connection connection, Chunk chunk) throws SQLException {
        String id = partitionOf(chunk).partition();
        checkEngine(connection);
        String stagingTable = IDENTIFIERS.check(Kind.TABLE, null, table + STAGING_INFIX + "RUN_RUNNER");
        return "rewrite of partition " + id + " (a copy with the column computed, then an atomic swap; for partitions"
                + " nobody writes during the run): " + copySql(stagingTable, copiedColumns(connection), ClickHouseSql.string(id))
                + "; ALTER TABLE " + IDENTIFIERS.qualified(null, table) + " REPLACE PARTITION ID " + ClickHouseSql.string(id)
                + " FROM " + IDENTIFIERS.qualified(null, stagingTable);
    }

    /** The copy of one partition into {@code stagingTable}; {@code partition} is a placeholder or a literal. */
    private String copySql(String stagingTable, List<String> copied, String partition) {
        String quoted = IDENTIFIERS.quote(Kind.COLUMN, table, column);
        String value = predicate == null ? "(" + expression + ")" : "if((" + predicate + "), (" + expression + "), " + quoted + ")";
        List<String> targets = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String name : copied) {
            String each = IDENTIFIERS.quote(Kind.COLUMN, table, name);
            targets.add(each);
            values.add(name.equals(column) ? value + " AS " + each : each);
        }
        return "INSERT INTO " + IDENTIFIERS.qualified(null, stagingTable) + " (" + String.join(", ", targets) + ") SELECT "
                + String.join(", ", values) + " FROM " + IDENTIFIERS.qualified(null, table) + " WHERE _partition_id = "
                + partition + COPY_SETTINGS;
    }

    private Chunk.Partition partitionOf(Chunk chunk) {
        if (chunk instanceof Chunk.Partition partition && partition.table().equals(table)) {
            return partition;
        }
        throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, column,
                "a partition rewrite of " + table + " works on the partitions of " + table + " (ClickHouseChunks.partitions);"
                        + " got " + chunk.id(), null);
    }

    /** {@code <table>_se_rewrite_<hash of the run id>_<runner>}: which run a staging table belongs to, and whose. */
    private String stagingName(String runId, String runner) {
        return IDENTIFIERS.check(Kind.TABLE, null, table + STAGING_INFIX + HexFormat.of().toHexDigits(runId.hashCode()) + "_" + runner);
    }

    /**
     * Staging tables of this table that are not this runner's: a runner still at work, or one killed
     * before it could drop its own. Which is which cannot be told from here, so they are named, not dropped.
     */
    private void warnOfStaleStaging(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT name, metadata_modification_time FROM system.tables"
                + " WHERE database = currentDatabase() AND startsWith(name, ?)")) {
            select.setString(1, table + STAGING_INFIX);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    LOG.warn("rewrite of {}: staging table {} (created {}) belongs to another runner, at work or killed;"
                            + " drop it once no runner of its run is left", table, row.getString(1), row.getString(2));
                }
            }
        }
    }

    /** A copy of a partition must be able to replace it: a plain MergeTree-family table on this server. */
    private void checkEngine(Connection connection) throws SQLException {
        String engine;
        try (PreparedStatement select = connection.prepareStatement("SELECT engine FROM system.tables"
                + " WHERE database = currentDatabase() AND name = ?")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, column, "table " + table
                            + " does not exist in the current database", null);
                }
                engine = row.getString(1);
            }
        }
        if (!engine.endsWith("MergeTree") || engine.startsWith("Replicated") || engine.startsWith("Shared")) {
            throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, column, "a partition rewrite needs a"
                    + " non-replicated MergeTree-family table, whose staging copy can live on this server; " + table + " is "
                    + engine + ": fill it in place with ClickHouseChunks.fill", null);
        }
    }

    /** The columns a copy carries: all but ALIAS and EPHEMERAL ones, which hold no data. */
    private List<String> copiedColumns(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        String targetKind = null;
        try (PreparedStatement select = connection.prepareStatement("SELECT name, default_kind FROM system.columns"
                + " WHERE database = currentDatabase() AND table = ? ORDER BY position")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String name = row.getString(1);
                    String kind = row.getString(2);
                    if (name.equals(column)) {
                        targetKind = kind;
                    }
                    if (!kind.equals("ALIAS") && !kind.equals("EPHEMERAL")) {
                        names.add(IDENTIFIERS.check(Kind.COLUMN, table, name));
                    }
                }
            }
        }
        if (targetKind == null || !(targetKind.isEmpty() || targetKind.equals("DEFAULT"))) {
            throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, table, column, targetKind == null
                    ? "column " + column + " does not exist in " + table
                    : "column " + column + " of " + table + " is " + targetKind + ": only stored columns can be filled", null);
        }
        return List.copyOf(names);
    }

    private long writeMark(Connection connection, String partition) throws SQLException {
        return writeMarks(connection, partition).getOrDefault(partition, 0L);
    }

    /** Write marks by partition: of every partition, or of {@code partition} alone. */
    private Map<String, Long> writeMarks(Connection connection, String partition) throws SQLException {
        Map<String, Long> marks = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT patched, mark FROM (" + WRITE_MARKS + ")"
                + (partition == null ? "" : " WHERE patched = ?"))) {
            select.setString(1, table);
            if (partition != null) {
                select.setString(2, partition);
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    marks.put(row.getString(1), row.getLong(2));
                }
            }
        }
        return marks;
    }

    private void dropStagingPartition(Connection connection, String partition) throws SQLException {
        try (PreparedStatement drop = connection.prepareStatement("ALTER TABLE " + IDENTIFIERS.qualified(null, staging)
                + " DROP PARTITION ID ?")) {
            drop.setString(1, partition);
            drop.executeUpdate();
        }
    }
}
