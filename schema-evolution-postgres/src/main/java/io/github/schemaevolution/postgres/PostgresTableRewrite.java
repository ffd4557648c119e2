package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.gate.MaintenanceGate;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Fills a column of one PostgreSQL table by writing a new copy of the table with the column computed,
 * then swapping the copy in under the table's name, while the application keeps reading and writing
 * the table. The single-table counterpart of {@link PostgresChunks#rewrite}, for a table that is not
 * split into chunk tables: every row is written once, with no dead row versions and no index
 * maintenance row by row, and the table is locked only for the swap.
 *
 * <p>How:
 * <ol>
 *   <li>In one transaction: a change log ({@code <table>_se_log}, the primary keys of changed rows),
 *       statement triggers that fill it (insert, update, delete, truncate; with transition tables, so a
 *       bulk write costs one insert into the log), and the copy ({@code <table>_se_new}, {@code LIKE}
 *       the table with its defaults, constraints, identity, generated columns, storage, comments and
 *       statistics, but no indexes yet).</li>
 *   <li>The copy, through the {@link ChunkRunner} by ranges of heap blocks ({@link PostgresChunks#blockRanges}):
 *       one {@code INSERT ... SELECT} per range, with its checkpoint, so a run killed mid-way resumes
 *       where it stopped.</li>
 *   <li>The changes logged meanwhile, replayed: each changed key is deleted from the copy and copied
 *       again from the table, in a repeatable-read transaction, so the log entries it consumes and the
 *       rows it reads are of one snapshot; then the indexes are built on the copy (the unique ones first
 *       as plain unique indexes), its foreign keys added and validated, and it is analysed.</li>
 *   <li>The swap, in one transaction under {@code lock_timeout}: the views over the table and the table
 *       are locked (views first, the order readers take them in), the last changes replayed, the table
 *       renamed to {@code <table>_se_old} (its indexes and constraints to {@code <table>_se_old_<n>}), the
 *       copy renamed to the table's name with the indexes' and constraints' names, and what belongs to
 *       the name moved to it: owner, grants (of the table and its columns), the table's comment, the
 *       ownership of its serial sequences, the next value of its identity columns, its triggers, and
 *       every view over it (recreated with its own definition, so each keeps its identity, grants and
 *       dependants). A lock not obtained in time rolls the attempt back, replays and tries again.</li>
 * </ol>
 * The former table stays, renamed and marked, for the caller to drop with {@link #dropReplaced} once
 * satisfied; its foreign keys move to the copy and its capture triggers go. A rewrite that cannot be
 * finished is undone with {@link #abandon}. The table is refused, before anything is created, when the
 * copy would lose something: see {@link RewriteTarget}.
 *
 * <p>The table is in the connection's current schema, like the chunk sources of {@link PostgresChunks}.
 * The expression is trusted SQL over the table's columns, like a default, and must give the same
 * value each time for the same row (a changed row is computed again).
 */
public final class PostgresTableRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresTableRewrite.class);
    /** The mark of what a rewrite creates, in the object's comment, followed by the run id and the table. */
    static final String MARK = "schema-evolution rewrite ";
    /** The triggers that fill the change log, one per event (transition tables allow a single event each). */
    private static final List<String> EVENTS = List.of("INSERT", "UPDATE", "DELETE", "TRUNCATE");
    private static final Set<String> PRIVILEGES = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
            "TRIGGER", "MAINTAIN");
    /** A replay round smaller than this is the last before the swap. */
    private static final long SMALL_ROUND = 1_000;
    private static final int MAX_ROUNDS = 20;

    private final String table;
    private final String column;
    private final String expression;
    private final String predicate;
    private final long blocksPerChunk;
    private final Duration lockTimeout;
    private final int swapAttempts;
    private final MaintenanceGate gate;

    private PostgresTableRewrite(String table, String column, String expression, String predicate, long blocksPerChunk,
                                 Duration lockTimeout, int swapAttempts, MaintenanceGate gate) {
        this.table = PostgresIdentifiers.RULES.check(Kind.TABLE, null, table);
        this.column = PostgresIdentifiers.RULES.check(Kind.COLUMN, table, column);
        this.expression = new ColumnDefault.Expression(expression).sql();
        this.predicate = predicate == null ? null : new ColumnDefault.Expression(predicate).sql();
        if (blocksPerChunk < 1 || swapAttempts < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, column,
                    "blocks per chunk and swap attempts must be at least 1", null);
        }
        this.blocksPerChunk = blocksPerChunk;
        this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
        this.swapAttempts = swapAttempts;
        this.gate = gate;
        names(table);
    }

    /**
     * A rewrite of {@code table} with {@code column} set to {@code expression}: by ranges of 2,000 heap
     * blocks (16 MB), waiting at most 2 s for each lock it takes, with 10 attempts at the swap.
     */
    public static PostgresTableRewrite of(String table, String column, String expression) {
        return new PostgresTableRewrite(table, column, expression, null, 2_000, Duration.ofSeconds(2), 10, null);
    }

    /** Sets the column only in rows that match {@code condition}; the others keep their value. */
    public PostgresTableRewrite where(String condition) {
        return new PostgresTableRewrite(table, column, expression, condition, blocksPerChunk, lockTimeout, swapAttempts, gate);
    }

    public PostgresTableRewrite blocksPerChunk(long blocks) {
        return new PostgresTableRewrite(table, column, expression, predicate, blocks, lockTimeout, swapAttempts, gate);
    }

    /** The longest wait for each lock: the triggers' at the start, the swap's at the end (then the attempt is retried). */
    public PostgresTableRewrite lockTimeout(Duration timeout) {
        return new PostgresTableRewrite(table, column, expression, predicate, blocksPerChunk, timeout, swapAttempts, gate);
    }

    public PostgresTableRewrite swapAttempts(int attempts) {
        return new PostgresTableRewrite(table, column, expression, predicate, blocksPerChunk, lockTimeout, attempts, gate);
    }

    /**
     * Closes {@code maintenance} around the swap: the application's gated user statements wait while
     * it runs instead of holding the locks it needs, so it gets them at its first attempt.
     */
    public PostgresTableRewrite withGate(MaintenanceGate maintenance) {
        return new PostgresTableRewrite(table, column, expression, predicate, blocksPerChunk, lockTimeout, swapAttempts,
                Objects.requireNonNull(maintenance, "maintenance"));
    }

    /** How a rewrite ended. */
    public record Report(String runId, String table, boolean swapped, RunReport copy, long changesReplayed, int swapAttempts,
                         Duration lockHeld, String replacedTable) {
    }

    /** The names a rewrite of {@code table} derives, each checked as the identifiers it will be. */
    record Names(String shadow, String log, String replaced, String function) {
        String index(String side, int ordinal) {
            return PostgresIdentifiers.RULES.check(Kind.INDEX, shadow, shadow.substring(0, shadow.length() - "new".length())
                    + side + "_" + ordinal);
        }

        String trigger(String event) {
            return "schema_evolution_capture_" + event.toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Names names(String table) {
        // the longest derived name: <table>_se_capture, and the indexes' <table>_se_old_<n>
        PostgresIdentifiers.RULES.check(Kind.INDEX, table, table + "_se_old_999");
        return new Names(table + "_se_new", table + "_se_log", table + "_se_old",
                PostgresIdentifiers.RULES.check(Kind.FUNCTION, table, table + "_se_capture"));
    }

    /**
     * Rewrites the table, or resumes the rewrite {@code runId} where it stopped (its copy's chunks have
     * checkpoints in {@code runner}'s store): copy, replay, indexes, swap. A run whose copy did not
     * complete returns its report with {@code swapped} false; what it created stays for the next run.
     *
     * @throws SchemaEvolutionException FEATURE_UNSUPPORTED for a table the copy cannot carry over,
     *         NAME_TAKEN when a derived name is held by something else, LOCK_TIMEOUT when no swap attempt
     *         got its lock (everything is in place for a retry)
     */
    public Report run(DataSource dataSource, ChunkRunner runner, String runId) {
        Names names = names(table);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            Optional<String> replaced = comment(connection, names.replaced());
            if (replaced.isPresent() && replaced.get().equals(replacedMark(runId)) && comment(connection, names.shadow()).isEmpty()) {
                LOG.info("rewrite {} of {}: swapped before", runId, table);
                return new Report(runId, table, true, null, 0, 0, Duration.ZERO, names.replaced());
            }
            refuseTaken(connection, names.replaced(), replaced, null);
            Optional<String> shadow = comment(connection, names.shadow());
            refuseTaken(connection, names.shadow(), shadow, runId);
            refuseTaken(connection, names.log(), comment(connection, names.log()), runId);
            RewriteTarget target = RewriteTarget.read(connection, table, triggerNames(names));
            refuseColumn(target);
            if (shadow.isEmpty()) {
                prepare(connection, target, names, runId);
            }
            RunReport copy = runner.run(runId, PostgresChunks.blockRanges(table, blocksPerChunk), copy(target, names));
            if (copy.outcome() != RunReport.Outcome.COMPLETED) {
                return new Report(runId, table, false, copy, 0, 0, Duration.ZERO, null);
            }
            long replayed = catchUp(connection, target, names);
            finish(connection, target, names);
            replayed += catchUp(connection, target, names);
            if (gate == null) {
                return swap(connection, target, names, runId, copy, replayed);
            }
            try (MaintenanceGate.Closure closed = gate.close(lockTimeout.multipliedBy(swapAttempts).plusSeconds(30),
                    lockTimeout.multipliedBy(swapAttempts))) {
                LOG.info("rewrite {} of {}: maintenance gate {} closed for the swap (epoch {})", runId, table, gate.name(),
                        closed.epoch());
                return swap(connection, target, names, runId, copy, replayed);
            }
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, column,
                    "rewrite " + runId + " of " + table + " failed: " + e.getMessage(), e);
        }
    }

    private void refuseColumn(RewriteTarget target) {
        RewriteTarget.Column found = target.columns().stream().filter(c -> c.name().equals(column)).findFirst()
                .orElseThrow(() -> new SchemaEvolutionException(ErrorCode.COLUMN_NOT_FOUND, table, column,
                        "column " + column + " does not exist in " + table, null));
        if (found.generated() || target.key().contains(column)) {
            throw RewriteTarget.refused(table, "column " + column + (found.generated() ? " is generated"
                    : " is part of the primary key, by which changes are followed"));
        }
    }

    /** The log, its triggers and the empty copy, in one transaction: each exists only with the others. */
    private void prepare(Connection connection, RewriteTarget target, Names names, String runId) throws SQLException {
        String schema = target.schema();
        String log = PostgresIdentifiers.qualified(schema, names.log());
        String key = String.join(", ", target.quotedKey());
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE " + log + " AS SELECT " + key + " FROM ONLY " + target.qualified() + " WITH NO DATA");
        statements.add("ALTER TABLE " + log + " ADD COLUMN se_seq bigint GENERATED ALWAYS AS IDENTITY,"
                + " ADD COLUMN se_truncated boolean NOT NULL DEFAULT false");
        String function = PostgresIdentifiers.qualified(schema, names.function());
        // as its owner, so that writers need no privilege on the log; every name in it is qualified
        statements.add("CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                + " SET search_path = pg_catalog, pg_temp AS $se$ BEGIN"
                + " IF TG_OP = 'TRUNCATE' THEN INSERT INTO " + log + " (se_truncated) VALUES (true);"
                + " ELSIF TG_OP = 'INSERT' THEN INSERT INTO " + log + " (" + key + ") SELECT " + key + " FROM se_new;"
                + " ELSIF TG_OP = 'DELETE' THEN INSERT INTO " + log + " (" + key + ") SELECT " + key + " FROM se_old;"
                + " ELSE INSERT INTO " + log + " (" + key + ") SELECT " + key + " FROM se_old UNION SELECT " + key + " FROM se_new;"
                + " END IF; RETURN NULL; END $se$");
        for (String event : EVENTS) {
            String transition = switch (event) {
                case "INSERT" -> " REFERENCING NEW TABLE AS se_new";
                case "UPDATE" -> " REFERENCING OLD TABLE AS se_old NEW TABLE AS se_new";
                case "DELETE" -> " REFERENCING OLD TABLE AS se_old";
                default -> "";
            };
            statements.add("CREATE TRIGGER " + names.trigger(event) + " AFTER " + event + " ON " + target.qualified()
                    + transition + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
        }
        String shadow = PostgresIdentifiers.qualified(schema, names.shadow());
        statements.add("CREATE " + (target.unlogged() ? "UNLOGGED " : "") + "TABLE " + shadow + " (LIKE " + target.qualified()
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE"
                + " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)" + target.options());
        String mark = PostgresSql.string(MARK + runId + " of " + table);
        statements.add("COMMENT ON TABLE " + log + " IS " + mark);
        statements.add("COMMENT ON FUNCTION " + function + "() IS " + mark);
        statements.add("COMMENT ON TABLE " + shadow + " IS " + mark);
        inLockedTransaction(connection, statements, "install the change capture");
        LOG.info("rewrite {} of {}: change capture installed, copying into {}", runId, table, names.shadow());
    }

    /** Runs {@code statements} in one transaction, each lock waited for at most the lock timeout, retried. */
    private void inLockedTransaction(Connection connection, List<String> statements, String what) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockTimeout.toMillis()) + "ms'");
                for (String sql : statements) {
                    statement.execute(sql);
                }
                connection.commit();
                return;
            } catch (SQLException e) {
                connection.rollback();
                if (!PostgresDialect.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt >= swapAttempts) {
                    throw failure(e, what, attempt);
                }
                LOG.info("rewrite of {}: no lock to {} within {} ms (attempt {} of {}), trying again", table, what,
                        lockTimeout.toMillis(), attempt, swapAttempts);
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** A lock not obtained as a coded error; any other failure as it is. */
    private SQLException failure(SQLException e, String what, int attempts) {
        if (PostgresDialect.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
            throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, table, column, "rewrite of " + table + ": no lock to "
                    + what + " within " + lockTimeout.toMillis() + " ms, " + attempts + " time(s); nothing"
                    + " was changed by the attempt, and running the rewrite again resumes it", e);
        }
        return e;
    }

    /** What the copy and the replay select from the table: its written columns, the rewritten one computed. */
    private String selectList(RewriteTarget target) {
        List<String> select = new ArrayList<>();
        for (RewriteTarget.Column each : target.columns()) {
            if (each.generated()) {
                continue;
            }
            String quoted = PostgresIdentifiers.column(table, each.name());
            if (!each.name().equals(column)) {
                select.add(quoted);
            } else if (predicate == null) {
                select.add("(" + expression + ")");
            } else {
                select.add("CASE WHEN (" + predicate + ") THEN (" + expression + ") ELSE " + quoted + " END");
            }
        }
        return String.join(", ", select);
    }

    private String insertInto(RewriteTarget target, Names names) {
        return "INSERT INTO " + PostgresIdentifiers.qualified(target.schema(), names.shadow()) + " (" + String.join(", ",
                target.written()) + ")" + (target.hasIdentity() ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT "
                + selectList(target) + " FROM ONLY " + target.qualified();
    }

    private ChunkOperation copy(RewriteTarget target, Names names) {
        String insert = insertInto(target, names) + " WHERE ";
        return ChunkOperation.described((connection, chunk) -> {
            try (PreparedStatement copy = connection.prepareStatement(insert + PostgresChunks.chunkCondition(chunk))) {
                PostgresChunks.bindRange(copy, chunk);
                return copy.executeUpdate();
            }
        }, (connection, chunk) -> "a copy of " + table + " with " + column + " computed, by ranges of heap blocks, each in its"
                + " own transaction, swapped in at the end: " + insert + PostgresChunks.chunkCondition(chunk));
    }

    /** Replays the change log in rounds until a round is small; returns the changes replayed. */
    private long catchUp(Connection connection, RewriteTarget target, Names names) throws SQLException {
        long total = 0;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long replayed;
            try {
                replayed = replay(connection, target, names);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                connection.setAutoCommit(true);
            }
            total += replayed;
            LOG.debug("rewrite of {}: replay round {}, {} changes", table, round, replayed);
            if (replayed < SMALL_ROUND) {
                break;
            }
        }
        return total;
    }

    /**
     * One replay: every change the log holds, as the transaction sees it. Outside the swap the caller
     * runs it in a repeatable-read transaction, so that the entries it deletes from the log are those
     * whose rows it read: an entry committed meanwhile is neither read nor deleted, and waits for the
     * next round. A truncate in the log empties the copy: what the table holds after it was inserted
     * after it, and logged after it.
     */
    private long replay(Connection connection, RewriteTarget target, Names names) throws SQLException {
        String log = PostgresIdentifiers.qualified(target.schema(), names.log());
        String shadow = PostgresIdentifiers.qualified(target.schema(), names.shadow());
        String key = String.join(", ", target.quotedKey());
        try (Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + log);
            long truncated;
            try (ResultSet row = statement.executeQuery("SELECT max(se_seq) FROM " + log + " WHERE se_truncated")) {
                row.next();
                truncated = row.getLong(1);
            }
            if (truncated > 0) {
                statement.execute("TRUNCATE " + shadow);
                statement.execute("DELETE FROM " + log + " WHERE se_seq <= " + truncated);
            }
            List<String> same = new ArrayList<>();
            for (String part : target.quotedKey()) {
                same.add("s." + part + " = r." + part);
            }
            statement.executeUpdate("DELETE FROM " + shadow + " s USING (SELECT DISTINCT " + key + " FROM " + log
                    + " WHERE NOT se_truncated) r WHERE " + String.join(" AND ", same));
            statement.executeUpdate(insertInto(target, names) + " WHERE (" + key + ") IN (SELECT " + key + " FROM " + log
                    + " WHERE NOT se_truncated)");
            return statement.executeUpdate("DELETE FROM " + log) + (truncated > 0 ? 1 : 0);
        }
    }

    /** The copy's indexes (unique ones plain, so they can become its constraints at the swap), foreign keys and statistics. */
    private void finish(Connection connection, RewriteTarget target, Names names) throws SQLException {
        String shadow = PostgresIdentifiers.qualified(target.schema(), names.shadow());
        try (Statement statement = connection.createStatement()) {
            List<RewriteTarget.Index> indexes = target.indexes();
            for (int i = 0; i < indexes.size(); i++) {
                RewriteTarget.Index index = indexes.get(i);
                statement.execute("CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS "
                        + PostgresIdentifiers.RULES.quote(Kind.INDEX, table, names.index("new", i)) + " ON " + shadow
                        + " USING " + index.method());
            }
            Set<String> present = foreignKeysOf(connection, names.shadow());
            for (RewriteTarget.ForeignKey foreignKey : target.foreignKeys()) {
                if (present.contains(foreignKey.name())) {
                    continue;
                }
                String quoted = PostgresIdentifiers.RULES.quote(Kind.CONSTRAINT, table, foreignKey.name());
                inLockedTransaction(connection, List.of("ALTER TABLE " + shadow + " ADD CONSTRAINT " + quoted + " "
                        + foreignKey.definition() + (foreignKey.validated() ? " NOT VALID" : "")), "add a foreign key to the copy");
                if (foreignKey.validated()) {
                    statement.execute("ALTER TABLE " + shadow + " VALIDATE CONSTRAINT " + quoted);
                }
            }
            statement.execute("ANALYZE " + shadow);
        }
        LOG.info("rewrite of {}: copy indexed ({} indexes, {} foreign keys) and analysed", table, target.indexes().size(),
                target.foreignKeys().size());
    }

    private Report swap(Connection connection, RewriteTarget target, Names names, String runId, RunReport copy, long replayed)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            try {
                long last = swapOnce(connection, target, names, runId);
                connection.commit();
                Duration held = Duration.ofNanos(System.nanoTime() - start);
                LOG.info("rewrite {} of {}: swapped in (attempt {}, lock held {} ms, {} changes replayed); the former table"
                        + " is {}", runId, table, attempt, held.toMillis(), replayed + last, names.replaced());
                return new Report(runId, table, true, copy, replayed + last, attempt, held, names.replaced());
            } catch (SQLException e) {
                connection.rollback();
                if (!PostgresDialect.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && !"40P01".equals(e.getSQLState())
                        || attempt >= swapAttempts) {
                    throw failure(e, "swap the copy in", attempt);
                }
                LOG.info("rewrite {} of {}: no lock for the swap within {} ms (attempt {} of {}), replaying and trying again",
                        runId, table, lockTimeout.toMillis(), attempt, swapAttempts);
            } finally {
                connection.setAutoCommit(true);
            }
            replayed += catchUp(connection, target, names);
        }
    }

    /** The swap's statements, in the caller's transaction; returns the changes of the last replay. */
    private long swapOnce(Connection connection, RewriteTarget target, Names names, String runId) throws SQLException {
        String schema = target.schema();
        String quoted = target.qualified();
        String replaced = PostgresIdentifiers.qualified(schema, names.replaced());
        String shadow = PostgresIdentifiers.qualified(schema, names.shadow());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = '" + Math.max(1, lockTimeout.toMillis()) + "ms'");
            List<View> views = views(connection, target.oid());
            List<String> locked = new ArrayList<>();
            views.forEach(view -> locked.add(view.name()));
            locked.add(quoted);
            statement.execute("LOCK TABLE " + String.join(", ", locked) + " IN ACCESS EXCLUSIVE MODE");
            if (!views(connection, target.oid()).equals(views)) {
                throw new SQLException("a view over " + table + " changed while the swap took its locks", PostgresDialect.LOCK_NOT_AVAILABLE);
            }
            long last = replay(connection, target, names);
            List<String> moved = movedWithTheName(connection, target, names);

            statement.execute("ALTER TABLE " + quoted + " RENAME TO " + PostgresIdentifiers.RULES.quote(Kind.TABLE, null, names.replaced()));
            List<RewriteTarget.Index> indexes = target.indexes();
            for (int i = 0; i < indexes.size(); i++) {
                RewriteTarget.Index index = indexes.get(i);
                String away = PostgresIdentifiers.RULES.quote(Kind.INDEX, table, names.index("old", i));
                statement.execute(index.constraint() != null
                        ? "ALTER TABLE " + replaced + " RENAME CONSTRAINT " + PostgresIdentifiers.RULES.quote(Kind.CONSTRAINT, table,
                        index.constraint()) + " TO " + away
                        : "ALTER INDEX " + PostgresIdentifiers.qualified(schema, index.name()) + " RENAME TO " + away);
            }
            statement.execute("ALTER TABLE " + shadow + " RENAME TO " + PostgresIdentifiers.RULES.quote(Kind.TABLE, null, table));
            for (int i = 0; i < indexes.size(); i++) {
                RewriteTarget.Index index = indexes.get(i);
                String copied = PostgresIdentifiers.qualified(schema, names.index("new", i));
                statement.execute(index.constraint() != null
                        ? "ALTER TABLE " + quoted + " ADD CONSTRAINT " + PostgresIdentifiers.RULES.quote(Kind.CONSTRAINT, table,
                        index.constraint()) + (index.constraintType().equals("p") ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX "
                        + PostgresIdentifiers.RULES.quote(Kind.INDEX, table, names.index("new", i))
                        + (index.deferrable() ? " DEFERRABLE" + (index.deferred() ? " INITIALLY DEFERRED" : "") : "")
                        : "ALTER INDEX " + copied + " RENAME TO " + PostgresIdentifiers.RULES.quote(Kind.INDEX, table, index.name()));
            }
            for (RewriteTarget.ForeignKey foreignKey : target.foreignKeys()) {
                statement.execute("ALTER TABLE " + replaced + " DROP CONSTRAINT "
                        + PostgresIdentifiers.RULES.quote(Kind.CONSTRAINT, table, foreignKey.name()));
            }
            for (String event : EVENTS) {
                statement.execute("DROP TRIGGER " + names.trigger(event) + " ON " + replaced);
            }
            statement.execute("DROP FUNCTION " + PostgresIdentifiers.qualified(schema, names.function()) + "()");
            statement.execute("DROP TABLE " + PostgresIdentifiers.qualified(schema, names.log()));
            for (String sql : moved) {
                statement.execute(sql);
            }
            statement.execute("COMMENT ON TABLE " + replaced + " IS " + PostgresSql.string(replacedMark(runId)));
            return last;
        }
    }

    /** A view over the table: its name, and the statement that recreates it over whatever the table's name names. */
    record View(String name, String recreate) {
    }

    private List<View> views(Connection connection, long oid) throws SQLException {
        List<View> views = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT DISTINCT n.nspname, v.relname, v.reloptions,"
                + " pg_catalog.pg_get_viewdef(v.oid) FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid"
                + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace"
                + " WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass"
                + " AND d.refobjid = ? AND v.oid <> ? AND v.relkind = 'v' ORDER BY 1, 2")) {
            select.setLong(1, oid);
            select.setLong(2, oid);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String name = PostgresIdentifiers.qualifiedView(row.getString(1), row.getString(2));
                    java.sql.Array options = row.getArray(3);
                    String with = options == null ? "" : " WITH (" + String.join(", ", checkedOptions((Object[]) options.getArray())) + ")";
                    views.add(new View(name, "CREATE OR REPLACE VIEW " + name + with + " AS " + row.getString(4)));
                }
            }
        }
        return views;
    }

    private List<String> checkedOptions(Object[] options) {
        List<String> checked = new ArrayList<>();
        for (Object option : options) {
            if (!option.toString().matches("[a-z_]+=[a-z0-9_]+")) {
                throw RewriteTarget.refused(table, "a view over it has the option " + option);
            }
            checked.add(option.toString());
        }
        return checked;
    }

    /**
     * The statements that give the copy, once it has the table's name, what belongs to that name,
     * read while the table still has it: owner, grants, comment, sequences, triggers, views.
     */
    private List<String> movedWithTheName(Connection connection, RewriteTarget target, Names names) throws SQLException {
        String quoted = target.qualified();
        List<String> moved = new ArrayList<>();
        moved.add("ALTER TABLE " + quoted + " OWNER TO " + PostgresIdentifiers.RULES.quote(Kind.ROLE, table, target.owner()));
        moved.addAll(grants(connection, target, names));
        Optional<String> comment = comment(connection, table);
        moved.add("COMMENT ON TABLE " + quoted + " IS " + comment.map(PostgresSql::string).orElse("NULL"));
        try (PreparedStatement select = connection.prepareStatement("SELECT n.nspname, s.relname, a.attname, d.deptype"
                + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ? AND d.deptype IN ('a', 'i') ORDER BY 3")) {
            select.setLong(1, target.oid());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String sequence = PostgresIdentifiers.RULES.quote(Kind.SCHEMA, table, row.getString(1)) + "."
                            + PostgresIdentifiers.RULES.quote(Kind.SEQUENCE, table, row.getString(2));
                    String columnName = PostgresIdentifiers.column(table, row.getString(3));
                    // a serial column's sequence follows the column; an identity column's copy has its own, set to go on from the table's
                    moved.add(row.getString(4).equals("a") ? "ALTER SEQUENCE " + sequence + " OWNED BY " + quoted + "." + columnName
                            : "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" + PostgresSql.string(quoted) + ", "
                            + PostgresSql.string(row.getString(3)) + "), s.last_value, s.is_called) FROM " + sequence + " s");
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT pg_catalog.pg_get_triggerdef(oid) FROM pg_catalog.pg_trigger"
                + " WHERE tgrelid = ? AND NOT tgisinternal AND NOT (tgname = ANY (?)) ORDER BY tgname")) {
            select.setLong(1, target.oid());
            select.setArray(2, connection.createArrayOf("text", triggerNames(names).toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    moved.add(row.getString(1));
                }
            }
        }
        views(connection, target.oid()).forEach(view -> moved.add(view.recreate()));
        return moved;
    }

    /** The copy's grants made the table's: the copy's own revoked, the table's and its columns' granted. */
    private List<String> grants(Connection connection, RewriteTarget target, Names names) throws SQLException {
        String quoted = target.qualified();
        List<String> grants = new ArrayList<>();
        grants.add("REVOKE ALL ON " + quoted + " FROM PUBLIC");
        String acl = "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,"
                + " a.is_grantable, %s FROM %s, pg_catalog.aclexplode(%s) a WHERE %s";
        String sql = String.format(acl, "NULL::name", "pg_catalog.pg_class c", "c.relacl", "c.oid = ?") + " UNION ALL "
                + String.format(acl, "t.attname", "pg_catalog.pg_attribute t", "t.attacl", "t.attrelid = ? AND t.attnum > 0 AND NOT t.attisdropped")
                + " UNION ALL " + String.format(acl, "'-'", "pg_catalog.pg_class c", "c.relacl", "c.oid = ?::regclass");
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, target.oid());
            select.setLong(2, target.oid());
            select.setString(3, PostgresIdentifiers.qualified(target.schema(), names.shadow()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String privilege = row.getString(1);
                    String grantee = row.getString(2) == null ? "PUBLIC" : PostgresIdentifiers.RULES.quote(Kind.ROLE, table, row.getString(2));
                    String on = row.getString(4);
                    if ("-".equals(on)) {
                        // what the copy was given by default privileges when it was created
                        grants.add(1, "REVOKE ALL ON " + quoted + " FROM " + grantee);
                        continue;
                    }
                    if (!PRIVILEGES.contains(privilege)) {
                        throw RewriteTarget.refused(table, "it grants the privilege " + privilege);
                    }
                    grants.add("GRANT " + privilege + (on == null ? "" : " (" + PostgresIdentifiers.column(table, on) + ")")
                            + " ON " + quoted + " TO " + grantee + (row.getBoolean(3) ? " WITH GRANT OPTION" : ""));
                }
            }
        }
        if (target.defaultPrivileges()) {
            // the table had its owner's default privileges, which the revokes above took from the copy
            grants.add("GRANT ALL ON " + quoted + " TO " + PostgresIdentifiers.RULES.quote(Kind.ROLE, table, target.owner()));
        }
        return grants;
    }

    private static Set<String> triggerNames(Names names) {
        Set<String> triggers = new java.util.HashSet<>();
        EVENTS.forEach(event -> triggers.add(names.trigger(event)));
        return triggers;
    }

    private static Set<String> foreignKeysOf(Connection connection, String table) throws SQLException {
        Set<String> names = new java.util.HashSet<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT conname FROM pg_catalog.pg_constraint"
                + " WHERE conrelid = ?::regclass AND contype = 'f'")) {
            select.setString(1, PostgresIdentifiers.qualified(null, table));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    names.add(row.getString(1));
                }
            }
        }
        return names;
    }

    private static String replacedMark(String runId) {
        return MARK + runId + ": the table as it was before";
    }

    /** The comment of the relation {@code name} of the current schema: empty when it has none or does not exist. */
    private static Optional<String> comment(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT pg_catalog.obj_description(c.oid, 'pg_class'), true"
                + " FROM pg_catalog.pg_class c WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(Objects.requireNonNullElse(row.getString(1), "")) : Optional.empty();
            }
        }
    }

    /**
     * Refuses a derived name that something else holds: a relation without a rewrite's mark, or, when
     * {@code runId} is given, one marked by another run (that rewrite is resumed under its own id).
     */
    private void refuseTaken(Connection connection, String name, Optional<String> comment, String runId) {
        if (comment.isEmpty()) {
            return;
        }
        String mark = comment.get();
        if (runId != null && mark.equals(MARK + runId + " of " + table)) {
            return;
        }
        String why = !mark.startsWith(MARK) ? name + " exists and was not created by a rewrite; it is left as it is"
                : runId == null ? name + " holds the table as it was before an earlier rewrite (" + mark + "); drop it with"
                + " PostgresTableRewrite.dropReplaced when it is no longer needed"
                : name + " belongs to another rewrite of " + table + " (" + mark + "): resume it with its run id, or undo it with"
                + " PostgresTableRewrite.abandon";
        throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, table, null, "cannot rewrite " + table + ": " + why, null);
    }

    /**
     * Drops the table a finished rewrite of {@code table} left under {@code <table>_se_old}, only if
     * that table carries the rewrite's mark. Returns whether it dropped one.
     */
    public static boolean dropReplaced(DataSource dataSource, String table) {
        Names names = names(table);
        try (Connection connection = dataSource.getConnection()) {
            Optional<String> mark = comment(connection, names.replaced());
            if (mark.isEmpty() || !mark.get().startsWith(MARK) || !mark.get().endsWith(": the table as it was before")) {
                return false;
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE " + PostgresIdentifiers.qualified(null, names.replaced()));
            }
            LOG.info("rewrite of {}: dropped the former table {}", table, names.replaced());
            return true;
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, null, "cannot drop " + names.replaced() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Undoes an unfinished rewrite of {@code table}: drops its capture triggers, function, change log
     * and copy, each only if it carries a rewrite's mark. The table itself is untouched. Returns
     * whether there was one to undo.
     */
    public static boolean abandon(DataSource dataSource, String table) {
        Names names = names(table);
        try (Connection connection = dataSource.getConnection()) {
            Optional<String> shadow = comment(connection, names.shadow());
            Optional<String> log = comment(connection, names.log());
            String mark = MARK;
            boolean ours = shadow.map(c -> c.startsWith(mark)).orElse(true) && log.map(c -> c.startsWith(mark)).orElse(true);
            if (!ours || shadow.isEmpty() && log.isEmpty()) {
                return false;
            }
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String event : EVENTS) {
                    statement.execute("DROP TRIGGER IF EXISTS " + names.trigger(event) + " ON " + PostgresIdentifiers.qualified(null, table));
                }
                statement.execute("DROP FUNCTION IF EXISTS " + PostgresIdentifiers.qualified(null, names.function()) + "()");
                statement.execute("DROP TABLE IF EXISTS " + PostgresIdentifiers.qualified(null, names.log()) + ", "
                        + PostgresIdentifiers.qualified(null, names.shadow()));
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
            LOG.info("rewrite of {}: abandoned, its copy and change capture dropped", table);
            return true;
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, null, "cannot abandon the rewrite of " + table
                    + ": " + e.getMessage(), e);
        }
    }

}
