package io.github.schemaevolution.api.copies;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Checksums;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.KeyRanges;
import io.github.schemaevolution.api.chunk.KeySpan;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.ViewNaming;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;
import io.github.schemaevolution.spi.ViewColumn;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Two copies of a table behind one logical name: the daily cycle of a catalog that is rebuilt or
 * updated offline while readers query the other copy, then switched over at once.
 *
 * <p>Each copy is a table registered on its own, with its own versions, views and history: migrations
 * are applied to a copy by its name, and their plans name it. Readers do not query the copies: they
 * query the <em>logical</em> views, {@code <logical>_v<N>} for each version of the logical table and
 * {@code <logical>_latest} (named by the settings' {@link ViewNaming}), each of which reads the view of
 * the matching version of the serving copy. A swap points every logical view at the other copy. It
 * moves no data and touches no copy, so its cost does not depend on the tables' size, and each copy's
 * history stays with its data (an exchange of the tables would swap the data under the histories).
 *
 * <ul>
 *   <li>PostgreSQL: the views are replaced in one transaction, each waiting at most the settings' DDL
 *       lock timeout for its readers (the swap is tried again when it does not get them), so readers
 *       see every logical view move at once. A query reads one copy: the one its views named when it
 *       started.</li>
 *   <li>ClickHouse: each view is replaced atomically ({@code CREATE OR REPLACE VIEW} in an Atomic
 *       database), one after the other, newest version first. A query over one logical view reads one
 *       copy; a query joining two logical versions during a swap may read one from each.</li>
 * </ul>
 *
 * <p>A swap is refused (CHANGE_FORBIDDEN, nothing changed) unless the offline copy has, for every
 * version the logical table serves, a live version with the same columns (names and types, in
 * order): apply the migrations to the offline copy first, or {@linkplain #retire retire} the logical
 * versions it lacks. The offline copy's current version, when its columns are new, becomes the logical
 * table's next version. The state is recorded, one row per epoch, in {@value #DEFAULT_RECORD_TABLE}
 * (in the copies' schema), and every change of it runs under the logical name's migration lock.
 *
 * <p>Thread-safe; it holds no connection.
 */
public final class TableCopies {
    /** Where the copies' states are recorded, one row per logical table and epoch. */
    public static final String DEFAULT_RECORD_TABLE = "schema_evolution_copies";

    private static final Logger LOG = LoggerFactory.getLogger(TableCopies.class);
    private static final List<String> RECORD_COLUMNS = List.of("logical_schema", "logical", "copy_a", "copy_b", "serving",
            "served", "epoch", "instance");

    private final SchemaEvolution evolution;
    private final DataSource dataSource;
    private final Dialect dialect;
    private final IdentifierRules identifiers;
    private final ViewNaming naming;
    private final String recordTable;
    /** The schemas whose record table was seen: it is looked for once, not on every swap. */
    private final java.util.Set<String> recorded = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TableCopies(SchemaEvolution evolution, String recordTable) {
        this.evolution = Objects.requireNonNull(evolution, "evolution");
        this.dataSource = evolution.dataSource();
        this.dialect = evolution.dialect();
        this.identifiers = dialect.identifiers();
        this.naming = evolution.settings().views();
        this.recordTable = identifiers.check(Kind.TABLE, recordTable, recordTable);
    }

    /** The copies of {@code evolution}'s database, recorded in {@value #DEFAULT_RECORD_TABLE}. */
    public static TableCopies of(SchemaEvolution evolution) {
        return new TableCopies(evolution, DEFAULT_RECORD_TABLE);
    }

    /** As {@link #of(SchemaEvolution)}, recording the states in {@code recordTable}. */
    public static TableCopies of(SchemaEvolution evolution, String recordTable) {
        return new TableCopies(evolution, recordTable);
    }

    /**
     * Declares {@code copyA} and {@code copyB}, two registered tables, as the copies of {@code logical},
     * with {@code copyA} serving: creates a logical view for each live version of {@code copyA}, reading
     * that version's view, and the latest view. Declaring the same copies again returns their state and
     * makes any logical view that is missing again (a declaration cut off half-way, on an engine without
     * transactions, is finished so).
     *
     * @throws SchemaEvolutionException NOT_REGISTERED when a copy is not registered; NAME_TAKEN when a
     *         logical view's name is taken by an object the library did not create, or {@code logical}
     *         names other copies already; MODEL_INVALID when the copies are one table or one is named
     *         {@code logical}; the identifier codes for names the engine cannot hold
     */
    public CopyState declare(String schema, String logical, String copyA, String copyB) {
        identifiers.check(Kind.VIEW, logical, logical);
        identifiers.check(Kind.TABLE, copyA, copyA);
        identifiers.check(Kind.TABLE, copyB, copyB);
        if (copyA.equals(copyB) || logical.equals(copyA) || logical.equals(copyB)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, logical, null, "a logical table needs two copies of"
                    + " other names than its own, got " + copyA + " and " + copyB, null);
        }
        List<SchemaVersion> live = registered(schema, copyA);
        registered(schema, copyB);
        return evolution.underLock(schema, logical, connection -> {
            ensureRecordTable(connection, schema);
            Optional<CopyState> existing = recorded(connection, schema, logical);
            if (existing.isPresent()) {
                CopyState state = existing.get();
                if (!state.copyA().equals(copyA) || !state.copyB().equals(copyB)) {
                    throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, logical, null, "is declared already, over the"
                            + " copies " + state.copyA() + " and " + state.copyB() + "; nothing was changed", null);
                }
                run(connection, repairs(connection, state));
                return state;
            }
            SortedMap<Integer, Integer> served = new TreeMap<>();
            live.forEach(version -> served.put(version.version(), version.version()));
            CopyState state = new CopyState(schema, logical, copyA, copyB, copyA, 1, served);
            List<String> names = viewNames(state);
            names.forEach(name -> identifiers.check(Kind.VIEW, logical, name));
            Map<String, String> taken = dialect.introspector().relations(connection, schema, names);
            Columns catalog = new Columns(connection, schema);
            catalog.load(live.stream().map(version -> naming.viewName(copyA, version.version())).toList());
            if (!taken.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, logical, null, "the logical views " + taken.keySet()
                        + " would replace objects the library did not create (" + taken.values() + "); nothing was changed."
                        + " Rename or drop them, or choose another logical name", null);
            }
            List<DdlStatement> views = viewStatements(catalog, state, name -> true);
            // recorded first: a declaration cut off before its views is finished by declaring again
            record(connection, state);
            run(connection, views);
            LOG.info("declared {} over the copies {} (serving) and {}: {} logical views", logical, copyA, copyB, views.size());
            return state;
        });
    }

    /** The state of {@code logical}, if it is declared. Reads only. */
    public Optional<CopyState> state(String schema, String logical) {
        try (Connection connection = dataSource.getConnection()) {
            return read(connection, schema, logical);
        } catch (SQLException e) {
            throw databaseError("cannot read the copies of " + logical, e);
        }
    }

    /**
     * What {@link #swap} would run now, checked as the swap checks it: the state after the swap and the
     * statements. Changes nothing.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when the offline copy lacks a served version
     */
    public SwapPlan planSwap(String schema, String logical) {
        try (Connection connection = dataSource.getConnection()) {
            return plan(connection, require(schema, logical, read(connection, schema, logical)));
        } catch (SQLException e) {
            throw databaseError("cannot plan the swap of " + logical, e);
        }
    }

    /**
     * Points every logical view at the offline copy, which then serves; the copy that served becomes the
     * offline one. Safe to call again after a failure: the views are replaced, not created, and the new
     * state is recorded last.
     *
     * @return the state after the swap
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when the offline copy lacks a served version, with
     *         nothing changed; LOCK_TIMEOUT when readers held the views through every attempt
     */
    public CopyState swap(String schema, String logical) {
        return swapped(schema, logical, false);
    }

    /**
     * Undoes the last swap: the copy that served before it serves again, with the same checks as
     * {@link #swap}.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when no swap was made yet
     */
    public CopyState swapBack(String schema, String logical) {
        return swapped(schema, logical, true);
    }

    /**
     * A postponed cut-over: checks the swap at once (so that one that would be refused fails now, not
     * when it is allowed), then asks {@code allowed} every {@code poll} and swaps as soon as it says yes.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when {@code allowed} did not say yes within
     *         {@code timeout}, with nothing changed
     */
    public CopyState swapWhen(String schema, String logical, BooleanSupplier allowed, Duration poll, Duration timeout) {
        SwapPlan plan = planSwap(schema, logical);
        long deadline = System.nanoTime() + timeout.toNanos();
        LOG.info("swap of {} to {} waits for its condition, at most {} ms", logical, plan.after().serving(), timeout.toMillis());
        while (!allowed.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, logical, null, "the swap to "
                        + plan.after().serving() + " was not allowed within " + timeout.toMillis() + " ms; nothing was"
                        + " changed", null);
            }
            try {
                Thread.sleep(Math.max(1, poll.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, logical, null, "the wait for the swap was"
                        + " interrupted; nothing was changed", e);
            }
        }
        return swap(schema, logical);
    }

    /**
     * Drops the logical views of the versions up to {@code upToVersion} (not the newest), once no reader
     * uses them: a swap then no longer needs the offline copy to have them.
     */
    public CopyState retire(String schema, String logical, int upToVersion) {
        return evolution.underLock(schema, logical, connection -> {
            CopyState state = require(schema, logical, read(connection, schema, logical));
            if (upToVersion >= state.latestVersion()) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, logical, null, "version "
                        + state.latestVersion() + " is the newest and cannot be retired", null);
            }
            SortedMap<Integer, Integer> kept = new TreeMap<>(state.served().tailMap(upToVersion + 1));
            List<DdlStatement> drops = new ArrayList<>();
            state.served().headMap(upToVersion + 1).keySet()
                    .forEach(version -> drops.add(dialect.dropView(schema, naming.viewName(logical, version))));
            CopyState next = new CopyState(schema, logical, state.copyA(), state.copyB(), state.serving(), state.epoch() + 1, kept);
            run(connection, drops);
            record(connection, next);
            LOG.info("retired the logical views of {} up to version {}", logical, upToVersion);
            return next;
        });
    }

    /**
     * Brings the offline copy up to date with the serving one, through {@code runner} (resumable under
     * {@code runId}, with its progress and parallelism): over ranges of about {@code rowsPerChunk} rows of
     * the integer {@code keyColumn} (a logical column of both copies), each range of the offline copy is
     * deleted and read again from the serving copy, the columns both copies' current versions have by
     * name; columns only the offline copy has are left to their defaults. Each range is idempotent, so a
     * run killed half-way resumes from its checkpoints. Values the offline copy computed itself (a fill of
     * a new column) are lost in the ranges it copies: catch up first, then fill.
     */
    public RunReport catchUp(String schema, String logical, String runId, String keyColumn, long rowsPerChunk,
                             ChunkRunner runner) {
        return caughtUp(schema, logical, runId, keyColumn, rowsPerChunk, runner, null, null);
    }

    /**
     * {@link #catchUp}, for the rows written since a watermark only: in each key range, the rows of the
     * serving copy whose {@code watermarkColumn} (a logical column of the serving copy, such as an
     * ingest time or sequence) is greater than {@code since} replace the offline copy's rows of the same
     * keys. Much less than a whole copy after a day of ingest; rows deleted from the serving copy are
     * not seen, so a copy whose rows are deleted needs {@link #catchUp}. {@code since} is bound as a
     * parameter (a number, a {@link java.time.Instant}, a {@link java.time.LocalDateTime}...).
     */
    public RunReport catchUpChanged(String schema, String logical, String runId, String keyColumn, long rowsPerChunk,
                                    String watermarkColumn, Object since, ChunkRunner runner) {
        return caughtUp(schema, logical, runId, keyColumn, rowsPerChunk, runner, Objects.requireNonNull(watermarkColumn,
                "watermarkColumn"), Objects.requireNonNull(since, "since"));
    }

    private RunReport caughtUp(String schema, String logical, String runId, String keyColumn, long rowsPerChunk,
                               ChunkRunner runner, String watermarkColumn, Object since) {
        CopyState state = require(schema, logical, state(schema, logical));
        SchemaVersion from = current(schema, state.serving());
        SchemaVersion to = current(schema, state.offline());
        List<String> targetColumns = new ArrayList<>();
        List<String> sourceColumns = new ArrayList<>();
        for (Column column : to.logicalColumns()) {
            if (from.column(column.name()).isPresent()) {
                targetColumns.add(identifiers.quote(Kind.COLUMN, to.table(), to.physicalName(column.name())));
                sourceColumns.add(identifiers.quote(Kind.COLUMN, from.table(), from.physicalName(column.name())));
            }
        }
        String sourceKey = from.physicalName(from.requireColumn(keyColumn).name());
        String targetKey = identifiers.quote(Kind.COLUMN, to.table(), to.physicalName(to.requireColumn(keyColumn).name()));
        String source = identifiers.qualified(schema, from.table());
        String target = identifiers.qualified(schema, to.table());
        String quotedSourceKey = identifiers.quote(Kind.COLUMN, from.table(), sourceKey);
        List<String> changed = watermarkColumn == null ? List.of() : List.of(identifiers.quote(Kind.COLUMN, from.table(),
                from.physicalName(from.requireColumn(watermarkColumn).name())) + " > ?");
        KeyRanges chunks = KeyRanges.of(from.table(), sourceKey, rowsPerChunk,
                (connection, rows) -> span(connection, source, quotedSourceKey, rows));
        String insert = "INSERT INTO " + target + " (" + String.join(", ", targetColumns) + ") SELECT "
                + String.join(", ", sourceColumns) + " FROM " + source;
        ChunkOperation copy = ChunkOperation.described((connection, chunk) -> {
            Chunk.KeyRange range = (Chunk.KeyRange) chunk;
            String rows = where(range, quotedSourceKey, changed);
            List<String> replaced = new ArrayList<>();
            if (!changed.isEmpty()) {
                replaced.add(targetKey + " IN (SELECT " + quotedSourceKey + " FROM " + source + rows + ")");
            }
            String targetRows = where(range, targetKey, replaced);
            if (counted(connection, "SELECT count(*) FROM " + target + targetRows, since) > 0) {
                updated(connection, "DELETE FROM " + target + targetRows, since);
            }
            return Math.max(0, updated(connection, insert + rows, since));
        }, (connection, chunk) -> "catch-up of " + to.table() + " from " + from.table() + ": DELETE FROM " + target
                + where((Chunk.KeyRange) chunk, targetKey, changed.isEmpty() ? List.of() : List.of(targetKey + " IN (...)"))
                + "; " + insert + where((Chunk.KeyRange) chunk, quotedSourceKey, changed));
        LOG.info("catching {} up from {} ({} columns) over key ranges of {}{}", to.table(), from.table(), targetColumns.size(),
                keyColumn, watermarkColumn == null ? "" : ", the rows with " + watermarkColumn + " after " + since);
        return runner.run(runId, chunks, copy);
    }

    /**
     * Compares the two copies before a swap: the serving copy's view of the newest logical version
     * against the offline copy's view with the same columns (or its current view, when it has none, so
     * that the column differences are named), by per-chunk checksums computed in the engine.
     */
    public Checksums.Comparison verify(String schema, String logical, Checksums.Chunking chunking) {
        CopyState state = require(schema, logical, state(schema, logical));
        String servingView = naming.viewName(state.serving(), state.servingVersion(state.latestVersion()));
        String offlineView;
        try (Connection connection = dataSource.getConnection()) {
            Columns catalog = new Columns(connection, schema);
            List<Column> wanted = catalog.of(servingView);
            offlineView = matching(catalog, state.offline(), wanted, state.latestVersion(),
                    evolution.liveVersions(schema, state.offline()))
                    .map(version -> naming.viewName(state.offline(), version))
                    .orElse(naming.viewName(state.offline(), current(schema, state.offline()).version()));
        } catch (SQLException e) {
            throw databaseError("cannot read the views of " + logical, e);
        }
        return Checksums.compare(dataSource, dialect, schema, servingView, offlineView, chunking);
    }

    private CopyState swapped(String schema, String logical, boolean back) {
        return swappedAll(schema, List.of(logical), back).get(0);
    }

    /**
     * Swaps several logical tables as one step: under the migration lock of each (taken in name order),
     * every swap is planned and checked before the first statement runs, so that one refusal leaves
     * them all as they were. On PostgreSQL the views of all of them are replaced in one transaction,
     * atomic across the tables; on ClickHouse one view at a time, the tables in the order given, so that
     * between two tables a query joining them can read one table's new copy and the other's old one.
     *
     * @return the states after the swap, in the order of {@code logicals}
     */
    public List<CopyState> swapAll(String schema, List<String> logicals) {
        return swappedAll(schema, logicals, false);
    }

    private List<CopyState> swappedAll(String schema, List<String> logicals, boolean back) {
        if (logicals.isEmpty() || new TreeSet<>(logicals).size() != logicals.size()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, String.valueOf(logicals), null, "a swap needs logical"
                    + " tables, each named once", null);
        }
        logicals.forEach(logical -> identifiers.check(Kind.VIEW, logical, logical));
        List<String> ordered = new ArrayList<>(new TreeSet<>(logicals));
        long start = System.nanoTime();
        List<CopyState> after = evolution.underLock(schema, ordered.get(0), connection -> {
            List<HistoryStore.Lock> locks = new ArrayList<>();
            try {
                for (String other : ordered.subList(1, ordered.size())) {
                    locks.add(dialect.history(evolution.settings().historyTable()).lock(connection, schema, other,
                            evolution.settings().instanceId(), evolution.settings().migrationLockWait(),
                            evolution.settings().lockLease(), dataSource));
                }
                List<SwapPlan> plans = new ArrayList<>();
                for (String logical : logicals) {
                    CopyState state = require(schema, logical, read(connection, schema, logical));
                    if (back && state.epoch() == 1) {
                        throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, logical, null, "has not been swapped"
                                + " yet: " + state.serving() + " has served since it was declared; nothing was changed", null);
                    }
                    plans.add(plan(connection, state));
                }
                dialect.prepareDdl(connection, evolution.settings().ddlLockTimeout());
                for (SwapPlan plan : plans) {
                    run(connection, plan.statements());
                }
                // recorded last: a swap cut off half-way is finished by swapping again
                for (SwapPlan plan : plans) {
                    record(connection, plan.after());
                }
                return plans.stream().map(SwapPlan::after).toList();
            } finally {
                for (int i = locks.size() - 1; i >= 0; i--) {
                    locks.get(i).close();
                }
            }
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        after.forEach(state -> LOG.info("swapped {}: {} serves now (epoch {}, versions {}), in {} ms", state.logical(),
                state.serving(), state.epoch(), state.served().keySet(), millis));
        return after;
    }

    private SwapPlan plan(Connection connection, CopyState state) throws SQLException {
        String target = state.offline();
        List<SchemaVersion> live = evolution.liveVersions(state.schema(), target);
        if (live.isEmpty()) {
            throw notRegistered(target);
        }
        // every view the plan looks at, read in one go: the logical views and the target's
        Columns catalog = new Columns(connection, state.schema());
        List<String> names = new ArrayList<>(viewNames(state));
        live.forEach(version -> names.add(naming.viewName(target, version.version())));
        names.add(naming.viewName(state.logical(), state.latestVersion() + 1));
        catalog.load(names);
        // the views a swap replaces must still be views: an object a user put under one of their names stays
        Map<String, String> existing = dialect.introspector().relations(connection, state.schema(), viewNames(state));
        existing.forEach((name, kind) -> {
            if (!Introspector.isView(kind)) {
                throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, state.logical(), null, "the logical view " + name
                        + " is now a " + kind + " the library did not create; nothing was changed", null);
            }
        });
        SortedMap<Integer, Integer> served = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (int version : state.served().keySet()) {
            String view = naming.viewName(state.logical(), version);
            List<Column> wanted = catalog.of(view);
            if (wanted.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, state.logical(), null, "the logical view "
                        + view + " is gone; declare the copies again to restore it. Nothing was changed", null);
            }
            Optional<Integer> match = matching(catalog, target, wanted, version, live);
            if (match.isPresent()) {
                served.put(version, match.get());
            } else {
                missing.add(view + " (" + describe(wanted) + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, state.logical(), null, "cannot swap to " + target
                    + ": it has no live version with the columns of " + String.join(", ", missing) + ". Apply the"
                    + " migrations to " + target + " first, or retire those logical versions; nothing was changed", null);
        }
        int current = live.get(live.size() - 1).version();
        if (!served.containsValue(current)) {
            served.put(state.latestVersion() + 1, current);
        }
        CopyState after = new CopyState(state.schema(), state.logical(), state.copyA(), state.copyB(), target,
                state.epoch() + 1, served);
        for (int version : served.keySet()) {
            String view = naming.viewName(state.logical(), version);
            if (!state.served().containsKey(version) && !catalog.of(identifiers.check(Kind.VIEW, state.logical(), view)).isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, state.logical(), null, "the new logical view " + view
                        + " is taken by an object the library did not create; nothing was changed", null);
            }
        }
        return new SwapPlan(state, after, viewStatements(catalog, after, name -> true));
    }

    /**
     * The live version of {@code copy} whose view has exactly {@code wanted}'s columns: {@code preferred}
     * when it matches, else the newest that does.
     */
    private Optional<Integer> matching(Columns catalog, String copy, List<Column> wanted, int preferred,
                                       List<SchemaVersion> live) throws SQLException {
        List<Integer> candidates = new ArrayList<>();
        live.stream().filter(v -> v.version() == preferred).forEach(v -> candidates.add(v.version()));
        for (int i = live.size() - 1; i >= 0; i--) {
            if (live.get(i).version() != preferred) {
                candidates.add(live.get(i).version());
            }
        }
        for (int version : candidates) {
            if (sameColumns(wanted, catalog.of(naming.viewName(copy, version)))) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /**
     * The statements that make every logical view of {@code state} read its serving copy: newest version
     * first, then the latest view (dropped first where the engine cannot replace a view by one of
     * another shape), those named as {@code included} says.
     */
    private List<DdlStatement> viewStatements(Columns catalog, CopyState state, Predicate<String> included)
            throws SQLException {
        List<DdlStatement> statements = new ArrayList<>();
        Map<Integer, List<Column>> sources = new LinkedHashMap<>();
        for (int version : state.served().keySet()) {
            sources.put(version, catalog.of(naming.viewName(state.serving(), state.servingVersion(version))));
        }
        List<Integer> newestFirst = new ArrayList<>(state.served().keySet());
        java.util.Collections.reverse(newestFirst);
        for (int version : newestFirst) {
            String name = naming.viewName(state.logical(), version);
            if (included.test(name)) {
                statements.add(view(state, name, version, sources.get(version)));
            }
        }
        Optional<String> latest = naming.latestName(state.logical()).filter(included);
        if (latest.isPresent()) {
            List<Column> columns = sources.get(state.latestVersion());
            List<Column> shown = catalog.of(latest.get());
            if (!shown.isEmpty() && !dialect.has(Capability.VIEWS_REPLACE_ANY_SHAPE) && !isPrefix(shown, columns)) {
                statements.add(dialect.dropView(state.schema(), latest.get()));
            }
            statements.add(view(state, latest.get(), state.latestVersion(), columns));
        }
        return statements;
    }

    private DdlStatement view(CopyState state, String view, int version, List<Column> columns) {
        if (columns.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, state.serving(), null, "the view of version "
                    + state.servingVersion(version) + " of " + state.serving() + " does not exist", null);
        }
        List<ViewColumn> shown = columns.stream().map(column -> ViewColumn.same(column.name())).toList();
        return dialect.createOrReplaceView(state.schema(), view, naming.viewName(state.serving(), state.servingVersion(version)), shown);
    }

    /** The statements that make the logical views of a recorded state that are missing, after a cut-off declaration. */
    private List<DdlStatement> repairs(Connection connection, CopyState state) throws SQLException {
        List<String> names = viewNames(state);
        Map<String, String> found = dialect.introspector().relations(connection, state.schema(), names);
        if (found.keySet().containsAll(names)) {
            return List.of();
        }
        LOG.warn("{}: the logical views {} are missing; making them again", state.logical(),
                names.stream().filter(name -> !found.containsKey(name)).toList());
        return viewStatements(new Columns(connection, state.schema()), state, name -> !found.containsKey(name));
    }

    private List<String> viewNames(CopyState state) {
        List<String> names = new ArrayList<>();
        state.served().keySet().forEach(version -> names.add(naming.viewName(state.logical(), version)));
        naming.latestName(state.logical()).ifPresent(names::add);
        return names;
    }

    private void run(Connection connection, List<DdlStatement> statements) throws SQLException {
        try (Statement jdbc = connection.createStatement()) {
            for (DdlStatement statement : statements) {
                LOG.debug("{}: {}", dialect.name(), statement.sql());
                jdbc.execute(statement.sql());
            }
        }
    }

    private void ensureRecordTable(Connection connection, String schema) throws SQLException {
        Map<String, String> found = dialect.introspector().relations(connection, schema, List.of(recordTable));
        if (found.isEmpty()) {
            run(connection, dialect.createTable(recordModel(schema)));
            return;
        }
        List<String> columns = dialect.introspector().physicalColumns(connection, schema, recordTable).stream()
                .map(Column::name).toList();
        if (Introspector.isView(found.get(recordTable)) || !columns.equals(RECORD_COLUMNS)) {
            throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, recordTable, null, "the table the library records copies"
                    + " in is taken by a " + found.get(recordTable) + " with the columns " + columns + "; name another one"
                    + " with TableCopies.of(evolution, recordTable)", null);
        }
    }

    private Table recordModel(String schema) {
        Table.Builder model = Table.builder(recordTable).schema(schema)
                .comment("copies of logical tables and which one serves, one row per epoch (schema-evolution)");
        for (String column : RECORD_COLUMNS) {
            model.column(column, column.equals("epoch") ? ColumnType.INT64 : ColumnType.STRING);
        }
        return model.postgres(PostgresOptions.primaryKey("logical_schema", "logical", "epoch"))
                .clickHouse(ClickHouseOptions.builder().orderBy("logical_schema", "logical", "epoch").build())
                .build();
    }

    /** The latest state of {@code logical}; empty when it is not declared, or nothing is declared in {@code schema}. */
    private Optional<CopyState> read(Connection connection, String schema, String logical) throws SQLException {
        if (!recorded.contains(String.valueOf(schema))) {
            if (dialect.introspector().relations(connection, schema, List.of(recordTable)).isEmpty()) {
                return Optional.empty();
            }
            recorded.add(String.valueOf(schema));
        }
        return recorded(connection, schema, logical);
    }

    private Optional<CopyState> recorded(Connection connection, String schema, String logical) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT copy_a, copy_b, serving, served, epoch FROM "
                + identifiers.qualified(schema, recordTable) + " WHERE logical_schema = ? AND logical = ? ORDER BY epoch DESC"
                + " LIMIT 1")) {
            select.setString(1, schema == null ? "" : schema);
            select.setString(2, logical);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new CopyState(schema, logical, row.getString(1), row.getString(2),
                        row.getString(3), row.getLong(5), CopyState.parseServed(row.getString(4)))) : Optional.empty();
            }
        }
    }

    private void record(Connection connection, CopyState state) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + identifiers.qualified(state.schema(),
                recordTable) + " (" + String.join(", ", RECORD_COLUMNS) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, state.schema() == null ? "" : state.schema());
            insert.setString(2, state.logical());
            insert.setString(3, state.copyA());
            insert.setString(4, state.copyB());
            insert.setString(5, state.serving());
            insert.setString(6, state.servedText());
            insert.setLong(7, state.epoch());
            insert.setString(8, evolution.settings().instanceId());
            insert.executeUpdate();
        }
    }

    /** The columns of relations, read from the catalog once per call, several at a time where the engine can. */
    private final class Columns {
        private final Connection connection;
        private final String schema;
        private final Map<String, List<Column>> known = new HashMap<>();

        Columns(Connection connection, String schema) {
            this.connection = connection;
            this.schema = schema;
        }

        void load(List<String> names) throws SQLException {
            List<String> unknown = names.stream().filter(name -> !known.containsKey(name)).distinct().toList();
            if (!unknown.isEmpty()) {
                Map<String, List<Column>> found = dialect.introspector().relationColumns(connection, schema, unknown);
                unknown.forEach(name -> known.put(name, found.getOrDefault(name, List.of())));
            }
        }

        /** The relation's columns; empty when it does not exist. */
        List<Column> of(String name) throws SQLException {
            load(List.of(name));
            return known.get(name);
        }
    }

    private List<SchemaVersion> registered(String schema, String copy) {
        List<SchemaVersion> live = evolution.liveVersions(schema, copy);
        if (live.isEmpty()) {
            throw notRegistered(copy);
        }
        return live;
    }

    private SchemaVersion current(String schema, String copy) {
        return evolution.currentVersion(schema, copy).orElseThrow(() -> notRegistered(copy));
    }

    private static SchemaEvolutionException notRegistered(String copy) {
        return new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, copy, null, "a copy must be a registered table:"
                + " create, ensure or adopt it first", null);
    }

    private static CopyState require(String schema, String logical, Optional<CopyState> state) {
        return state.orElseThrow(() -> new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, logical, null, "no copies are"
                + " declared for " + logical + (schema == null ? "" : " in " + schema) + ": declare them first", null));
    }

    private static boolean sameColumns(List<Column> a, List<Column> b) {
        return a.size() == b.size() && isPrefix(a, b);
    }

    private static boolean isPrefix(List<Column> prefix, List<Column> columns) {
        if (prefix.size() > columns.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (!prefix.get(i).name().equals(columns.get(i).name()) || !prefix.get(i).type().equals(columns.get(i).type())) {
                return false;
            }
        }
        return true;
    }

    private static String describe(List<Column> columns) {
        return String.join(", ", columns.stream().map(column -> column.name() + " " + column.type().sql()).toList());
    }

    /** {@code WHERE} the key is in the range, and the other {@code conditions} hold; nothing when none applies. */
    private static String where(Chunk.KeyRange range, String key, List<String> conditions) {
        List<String> bounds = new ArrayList<>();
        if (range.from() != Long.MIN_VALUE) {
            bounds.add(key + " >= " + range.from());
        }
        if (!range.open()) {
            bounds.add(key + " < " + range.to());
        }
        bounds.addAll(conditions);
        return bounds.isEmpty() ? "" : " WHERE " + String.join(" AND ", bounds);
    }

    /**
     * Binds {@code since} to each of the {@code parameters} of {@code statement}: the watermark, once per use.
     * (Counted from the SQL, whose identifiers cannot hold a question mark, not asked of a driver that may not know.)
     */
    private static void bind(PreparedStatement statement, String sql, Object since) throws SQLException {
        long parameters = sql.chars().filter(c -> c == '?').count();
        for (int i = 1; i <= parameters; i++) {
            statement.setObject(i, since instanceof java.time.Instant instant ? java.sql.Timestamp.from(instant) : since);
        }
    }

    private static long counted(Connection connection, String sql, Object since) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, sql, since);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static long updated(Connection connection, String sql, Object since) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, sql, since);
            return statement.executeUpdate();
        }
    }

    private static KeySpan span(Connection connection, String table, String key, long rowsPerChunk) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT min(" + key + "), max(" + key + "), count(*) FROM " + table)) {
            row.next();
            return row.getLong(3) == 0 ? KeySpan.empty(rowsPerChunk) : new KeySpan(row.getLong(1), row.getLong(2), row.getLong(3), rowsPerChunk);
        }
    }

    private static SchemaEvolutionException databaseError(String what, SQLException e) {
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, what + ": " + e.getMessage() + " (SQL state "
                + e.getSQLState() + ")", e);
    }

    /** What a swap runs: the state before and after it, and its statements. */
    public record SwapPlan(CopyState before, CopyState after, List<DdlStatement> statements) {
        public SwapPlan {
            statements = List.copyOf(statements);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("swap of " + before.logical() + " from " + before.serving() + " to "
                    + after.serving() + " (versions " + after.servedText() + "):");
            statements.forEach(statement -> text.append("\n  ").append(statement.sql()).append(';'));
            return text.toString();
        }
    }
}
