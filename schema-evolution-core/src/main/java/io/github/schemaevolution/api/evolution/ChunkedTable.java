package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.RunPlan;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.CatalogSnapshot;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One logical table over many chunk tables of the same columns, such as the {@code Object_1234} tables
 * of a partitioned catalog: one version history and one spare pool, kept under the logical name, for
 * every chunk table the {@linkplain ChunkSource source} lists (10,000 or more).
 *
 * <p>A migration is planned once for the logical table, recorded as started, and then run on each chunk
 * table through the {@link ChunkRunner}: bounded parallelism, a checkpoint per chunk, resumable after a
 * crash or from another instance with the same call, progress through the runner's listener. Each chunk
 * table gets the version's columns and its own views ({@code Object_1234_v2}). The logical version moves
 * only once every chunk has it; until then the logical table stays at its current version and
 * {@link #state()} says how many chunks are done. A run may cover only some chunks ({@code subset}): a
 * refill of the pool a third of the chunks at a time, say, where spares still free differ between
 * chunks meanwhile, and the pool counts the new spares only once every chunk has them.
 *
 * <p>One change at a time: while a migration is started and not on every chunk, another is refused with
 * CHANGE_FORBIDDEN, and the same migration applied again resumes it. Memory stays flat in the number
 * of chunks: the source streams, and each chunk's statements are rendered for it as it runs.
 *
 * <p>Thread-safe; it holds no connection.
 */
public final class ChunkedTable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedTable.class);
    /** The migration id that registers a chunked table; the history of a logical table starts with it. */
    public static final String REGISTER = "register-chunked";
    private static final Pattern NUMBER = Pattern.compile("_([0-9]+)$");

    private final SchemaEvolution evolution;
    private final Dialect dialect;
    private final EvolutionSettings settings;
    private final String schema;
    private final String logical;
    private final ChunkSource chunks;
    private final ChunkRunner runner;
    private final Migrator migrator;
    private final HistoryStore history;
    private final Planner planner;

    private ChunkedTable(SchemaEvolution evolution, String schema, String logical, ChunkSource chunks, ChunkRunner runner) {
        this.evolution = Objects.requireNonNull(evolution, "evolution");
        this.dialect = evolution.dialect();
        this.settings = evolution.settings();
        this.schema = schema;
        this.logical = dialect.identifiers().check(Kind.TABLE, null, Objects.requireNonNull(logical, "logical"));
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.migrator = new Migrator(evolution.dataSource(), dialect, settings);
        this.history = dialect.history(settings.historyTable());
        this.planner = new Planner(dialect, settings.views(), settings.policy());
    }

    /**
     * The chunked table {@code logical} over the chunk tables {@code chunks} lists (in {@code schema}, or
     * the connection's when {@code null}), run with a default {@link ChunkRunner}.
     */
    public static ChunkedTable of(SchemaEvolution evolution, String schema, String logical, ChunkSource chunks) {
        return new ChunkedTable(evolution, schema, logical, chunks,
                ChunkRunner.builder(evolution.dataSource(), evolution.dialect()).build());
    }

    /** The chunked table {@code logical} over the tables {@code <logical>_<number>} of the connection's schema. */
    public static ChunkedTable byPrefix(SchemaEvolution evolution, String logical) {
        return of(evolution, null, logical, evolution.dialect().chunks().chunkTables(logical));
    }

    /** This chunked table, its migrations run by {@code chunkRunner} (its parallelism, retries, progress listener, checkpoints). */
    public ChunkedTable withRunner(ChunkRunner chunkRunner) {
        return new ChunkedTable(evolution, schema, logical, chunks, chunkRunner);
    }

    /** The chunks whose table name ends in {@code _<number>} with {@code from <= number < to}: a subset for one run. */
    public static Predicate<Chunk> numbered(long from, long to) {
        return chunk -> number(chunk).stream().anyMatch(n -> n >= from && n < to);
    }

    /** The number a chunk table's name ends with ({@code Object_1234}: 1234), if it ends with one. */
    public static OptionalLong number(Chunk chunk) {
        Matcher matcher = NUMBER.matcher(chunk.table());
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    public String logicalName() {
        return logical;
    }

    /**
     * Registers the chunk tables as version 1 of the logical table, as they are: every column is itself,
     * every column whose name starts with {@code sparePrefix} a free spare, and each chunk table gets its
     * version-1 view. Every chunk must have the columns of the first; one that does not fails the run with
     * SCHEMA_DRIFT, naming it, and the registration stays started until it is put right and this is called
     * again. A table registered before is left as it is. Spares are added afterwards with {@link #refill}.
     */
    public Result register(String sparePrefix) {
        ReservePolicy prefix = new ReservePolicy(sparePrefix, List.of());
        Start start = migrator.locked(schema, logical, connection -> {
            List<HistoryEntry> entries = history.entries(connection, schema, logical);
            if (!entries.isEmpty()) {
                HistoryEntry last = entries.get(entries.size() - 1);
                return last.status() == HistoryEntry.Status.STARTED ? Start.resume(last, entries)
                        : Start.done(Migrator.current(entries));
            }
            Chunk first = firstChunk(connection);
            CatalogSnapshot catalog = snapshot(connection, first.table(), prefix.prefix(), viewNames(first.table(), 0, List.of()));
            SchemaVersion zero = zero(first.table(), prefix.prefix(), catalog);
            Migration register = Migration.builder(REGISTER, first.table()).schema(schema).build();
            Plan plan = planner.plan(register, zero, List.of(), table(catalog), Map.of());
            history.ensureTable(connection, schema);
            return Start.begin(record(connection, register, plan.to().forTable(logical), null), entries);
        });
        return run(start, null);
    }

    /** {@link #register(String)} with the default spare prefix. */
    public Result register() {
        return register(ReservePolicy.DEFAULT_PREFIX);
    }

    /** Applies {@code migration} (of the logical table) to every chunk table. See {@link #apply(Migration, Predicate)}. */
    public Result apply(Migration migration) {
        return applyTo(migration, null);
    }

    /**
     * Applies {@code migration}, a migration of the logical table, to the chunk tables {@code subset}
     * accepts, and moves the logical version once every chunk table has it (in this run or earlier ones).
     * Refused before any chunk changes (the database as it was) when the first chunk table has drifted,
     * the pool has no spare, the policy forbids the change, the migration's id was applied with other
     * content (CHECKSUM_MISMATCH), or another migration is under way (CHANGE_FORBIDDEN).
     *
     * @return APPLIED when the version moved, PENDING when chunks are left (outside {@code subset}),
     *         ALREADY_APPLIED when it had moved before
     * @throws SchemaEvolutionException when a chunk fails, naming it, with the chunks done so far kept:
     *         the same call resumes
     */
    public Result apply(Migration migration, Predicate<Chunk> subset) {
        return applyTo(migration, Objects.requireNonNull(subset, "subset"));
    }

    /** {@link #apply(Migration, Predicate)} over the chunks of {@code subset}, or over every chunk when it is {@code null}. */
    private Result applyTo(Migration migration, Predicate<Chunk> subset) {
        requireOwn(migration);
        Start start = migrator.locked(schema, logical, connection -> {
            List<HistoryEntry> entries = history.entries(connection, schema, logical);
            if (entries.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, display(schema, logical), null,
                        "is not registered as a chunked table: register it first", null);
            }
            Optional<HistoryEntry> previous = entries.stream().filter(e -> e.migrationId().equals(migration.id()))
                    .reduce((a, b) -> b);
            if (previous.isPresent() && !previous.get().checksum().equals(migration.checksum())) {
                throw new SchemaEvolutionException(ErrorCode.CHECKSUM_MISMATCH, logical, null, "migration '" + migration.id()
                        + "' was applied as version " + previous.get().version() + " with different content:\n"
                        + previous.get().description() + "\nnow:\n" + migration.describe(), null);
            }
            if (previous.isPresent() && previous.get().status() == HistoryEntry.Status.APPLIED) {
                return Start.done(Migrator.current(entries));
            }
            HistoryEntry last = entries.get(entries.size() - 1);
            if (last.status() == HistoryEntry.Status.STARTED) {
                if (!last.migrationId().equals(migration.id())) {
                    throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, display(schema, logical), null, "migration "
                            + last.migrationId() + " (version " + last.version() + ") is under way on the chunk tables; apply it"
                            + " to the end (the same call resumes it) before " + migration.id(), null);
                }
                return Start.resume(last, entries);
            }
            Plan plan = firstPlan(connection, migration, entries);
            return Start.begin(record(connection, migration, plan.to().forTable(logical), Migrator.current(entries)), entries);
        });
        return run(start, subset);
    }

    /**
     * The dry run of {@code migration}: the plan rendered for the first chunk table the source lists (every
     * chunk table gets the same statements with its own name), checked as {@link #apply} checks it. Reads
     * the history and the first chunk table's catalog; changes nothing.
     */
    public Plan plan(Migration migration) {
        requireOwn(migration);
        try (Connection connection = evolution.dataSource().getConnection()) {
            List<HistoryEntry> entries = history.entries(connection, schema, logical);
            if (entries.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, display(schema, logical), null,
                        "is not registered as a chunked table: register it first", null);
            }
            return firstPlan(connection, migration, entries);
        } catch (SQLException e) {
            throw Migrator.databaseError("cannot plan " + migration.id() + " of the chunked table " + logical, e);
        }
    }

    /** MODEL_INVALID for a migration of another table than the logical one. */
    private void requireOwn(Migration migration) {
        if (!migration.table().equals(logical) || !Objects.equals(migration.schema(), schema)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, migration.table(), null, "migration "
                    + migration.id() + " is of " + display(migration.schema(), migration.table()) + ", not of the chunked table "
                    + display(schema, logical), null);
        }
    }

    /** The migration planned for the first chunk table from the logical table's current version, refused on drift. */
    private Plan firstPlan(Connection connection, Migration migration, List<HistoryEntry> entries) throws SQLException {
        SchemaVersion current = Migrator.current(entries);
        Chunk first = firstChunk(connection);
        SchemaVersion from = current.forTable(first.table());
        List<SchemaVersion> live = forTable(Migrator.appliedStates(entries), first.table());
        CatalogSnapshot catalog = snapshot(connection, first.table(), from.sparePrefix(), viewNames(first.table(), from.version(), live));
        SchemaDiff drift = migrator.diff(catalog.physicalColumns(), from, migrator.covered(migration, from));
        if (!drift.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, from.display(), null, "refusing to plan "
                    + migration.id() + " of the chunked table " + logical + ": " + drift, null);
        }
        return planner.plan(forChunk(migration, first.table()), from, live, table(catalog),
                Migrator.onFirstLook(catalog::protectedColumns));
    }

    /**
     * Adds {@code count} spares of {@code family} to the pool, on the chunk tables {@code subset} accepts in
     * this run: the applied migration {@code refill-<family>-<count>-v<next version>}, which later runs
     * with other subsets complete (call it again with the same family and count). The pool counts the
     * spares once every chunk table has them.
     */
    public Result refill(ColumnType family, int count, Predicate<Chunk> subset) {
        Objects.requireNonNull(subset, "subset");
        List<HistoryEntry> entries = evolution.history(schema, logical);
        if (entries.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, display(schema, logical), null,
                    "is not registered as a chunked table: register it first", null);
        }
        HistoryEntry last = entries.get(entries.size() - 1);
        boolean refilling = last.status() == HistoryEntry.Status.STARTED && last.migrationId().startsWith("refill-");
        String id = refilling ? last.migrationId() : "refill-" + family.sql().replaceAll("[^A-Za-z0-9]+", "_")
                .toLowerCase(java.util.Locale.ROOT) + "-" + count + "-v" + (last.version() + 1);
        return applyTo(Migration.builder(id, logical).schema(schema).refill(family, count).build(), subset);
    }

    /** The logical table's current version: the one every chunk table has. */
    public Optional<SchemaVersion> currentVersion() {
        return evolution.currentVersion(schema, logical);
    }

    /** The free and used spares of the current version: spares some chunk tables have and others not yet do not count. */
    public PoolStatus pool() {
        return currentVersion().map(SchemaVersion::pool).orElseThrow(() -> new SchemaEvolutionException(
                ErrorCode.NOT_REGISTERED, display(schema, logical), null, "is not registered as a chunked table", null));
    }

    /**
     * Where the logical table stands: its current version and, while a migration is under way, how many
     * chunk tables have its version. Reads the history and the run's checkpoints (a window at a time).
     */
    public State state() {
        List<HistoryEntry> entries = evolution.history(schema, logical);
        if (entries.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, display(schema, logical), null,
                    "is not registered as a chunked table", null);
        }
        HistoryEntry last = entries.get(entries.size() - 1);
        Optional<SchemaVersion> current = entries.stream().anyMatch(e -> e.status() == HistoryEntry.Status.APPLIED)
                ? Optional.of(Migrator.current(entries)) : Optional.empty();
        if (last.status() != HistoryEntry.Status.STARTED) {
            return new State(current, Optional.empty());
        }
        RunPlan left = progress(last);
        return new State(current, Optional.of(new Pending(last.migrationId(), last.version(), left.chunks(), left.chunksFinished())));
    }

    /** Runs the started migration over the chunks of {@code subset}, then records it applied once every chunk has it. */
    private Result run(Start start, Predicate<Chunk> subset) {
        if (start.entry() == null) {
            return new Result(Result.Outcome.ALREADY_APPLIED, start.current(), start.current().version(), 0, 0, null);
        }
        HistoryEntry entry = start.entry();
        SchemaVersion to = entry.state();
        String runId = runId(entry);
        ChunkOperation operation = new ChunkMigration(entry, start.liveBefore());
        ChunkSource covered = subset == null ? chunks : connection -> chunks.chunks(connection).filter(subset);
        LOG.info("{} on the chunk tables of {}: version {}, run {}", start.resumed() ? "resuming " + entry.migrationId()
                : "applying " + entry.migrationId(), display(schema, logical), to.version(), runId);
        RunReport report = runner.run(runId, covered, operation);
        RunPlan left = progress(entry);
        if (report.outcome() == RunReport.Outcome.FAILED) {
            throw failure(entry, report, left);
        }
        if (report.outcome() == RunReport.Outcome.CANCELLED || left.chunksLeft() > 0) {
            LOG.info("{} on {}: {} of {} chunk tables at version {}; the logical table stays at version {} until every"
                    + " chunk has it", entry.migrationId(), display(schema, logical), left.chunksFinished(), left.chunks(),
                    to.version(), to.version() - 1);
            return new Result(Result.Outcome.PENDING, currentVersion().orElse(null), to.version(), left.chunks(),
                    left.chunksFinished(), report);
        }
        SchemaVersion applied = migrator.locked(schema, logical, connection -> {
            List<HistoryEntry> entries = history.entries(connection, schema, logical);
            HistoryEntry last = entries.get(entries.size() - 1);
            if (last.status() == HistoryEntry.Status.APPLIED && last.migrationId().equals(entry.migrationId())) {
                return last.state();
            }
            // the clearing of dropped columns ran in each chunk's own transaction: they are free already
            SchemaVersion state = to.cleared();
            HistoryEntry done = entry.withState(state).applied(Instant.now());
            List<String> retained = state.slots().stream().filter(slot -> slot.use() == Slot.Use.RETAINED)
                    .filter(slot -> start.liveBefore().isEmpty() || start.liveBefore().get(start.liveBefore().size() - 1)
                            .slots().stream().noneMatch(b -> b.id().equals(slot.id()) && b.use() == Slot.Use.RETAINED))
                    .map(Slot::id).toList();
            history.recordApplied(connection, schema, done, retained, retiredUpTo(entry), true);
            return state;
        });
        LOG.info("{} on {}: every one of {} chunk tables at version {}; the logical table is at version {}",
                entry.migrationId(), display(schema, logical), left.chunks(), to.version(), applied.version());
        return new Result(Result.Outcome.APPLIED, applied, to.version(), left.chunks(), left.chunks(), report);
    }

    /** How many chunk tables list and how many have finished the started migration, read from its checkpoints. */
    private RunPlan progress(HistoryEntry started) {
        return runner.plan(runId(started), chunks, ChunkOperation.described((connection, chunk) -> 0,
                (connection, chunk) -> "migration " + started.migrationId()));
    }

    private SchemaEvolutionException failure(HistoryEntry entry, RunReport report, RunPlan left) {
        Throwable cause = report.failure();
        ErrorCode code = cause instanceof SchemaEvolutionException coded ? coded.code() : ErrorCode.DATABASE_ERROR;
        return new SchemaEvolutionException(code, display(schema, logical), null, "migration " + entry.migrationId()
                + " failed on chunk table " + report.failedChunk() + " with " + left.chunksFinished() + " of " + left.chunks()
                + " chunk tables at version " + entry.state().version() + " (kept; the logical table stays at version "
                + (entry.state().version() - 1) + "). Put the chunk right and apply again to resume: "
                + (cause == null ? "no cause reported" : cause.getMessage()), cause);
    }

    private static int retiredUpTo(HistoryEntry entry) {
        return Migrator.changesOf(entry).stream().filter(Change.RetireVersions.class::isInstance)
                .mapToInt(change -> ((Change.RetireVersions) change).upTo()).max().orElse(0);
    }

    /** The run id of a started migration: the logical table, the version and the migration's checksum. */
    private String runId(HistoryEntry entry) {
        return "chunked:" + logical + ":v" + entry.version() + ":" + entry.checksum().substring(0, Math.min(12, entry.checksum().length()));
    }

    private HistoryEntry record(Connection connection, Migration migration, SchemaVersion to, SchemaVersion from)
            throws SQLException {
        HistoryEntry entry = new HistoryEntry(logical, to.version(), migration.id(), migration.describe(),
                migration.checksum(), HistoryEntry.Status.STARTED, Instant.now(), null, settings.instanceId(), to,
                from == null || from.version() == 0 ? null : from);
        history.record(connection, schema, entry);
        return entry;
    }

    private Chunk firstChunk(Connection connection) throws SQLException {
        try (Stream<Chunk> listed = chunks.chunks(connection)) {
            return listed.findFirst().orElseThrow(() -> new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND,
                    display(schema, logical), null, "has no chunk tables: the chunk source lists none", null));
        }
    }

    /** Version 0 of a chunk table as {@code catalog} found it: what the registration starts from. */
    private SchemaVersion zero(String chunk, String sparePrefix, CatalogSnapshot catalog) {
        if (catalog.physicalColumns().isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, display(schema, chunk), null,
                    "the chunk table the source lists does not exist", null);
        }
        SchemaVersion found = SchemaVersion.initial(schema, chunk, sparePrefix, catalog.physicalColumns());
        return new SchemaVersion(schema, chunk, 0, sparePrefix, found.columns(), found.slots());
    }

    /** The names of a chunk table's views at the live versions and at the version after {@code version}, checked. */
    private Set<String> viewNames(String chunk, int version, List<SchemaVersion> live) {
        Set<String> views = new LinkedHashSet<>();
        live.forEach(each -> views.add(settings.views().viewName(chunk, each.version())));
        String next = settings.views().viewName(chunk, version + 1);
        dialect.identifiers().check(Kind.VIEW, chunk, next);
        views.add(next);
        settings.views().latestName(chunk).ifPresent(views::add);
        return views;
    }

    /** One catalog read of a chunk table: its columns, its model, and what holds the names {@code views}. */
    private CatalogSnapshot snapshot(Connection connection, String chunk, String sparePrefix, Set<String> views)
            throws SQLException {
        return dialect.introspector().snapshot(connection, schema, chunk, sparePrefix, views);
    }

    private io.github.schemaevolution.api.model.Table table(CatalogSnapshot catalog) {
        return table(catalog.table());
    }

    private io.github.schemaevolution.api.model.Table table(Optional<io.github.schemaevolution.api.model.Table> read) {
        return read.orElseThrow(() -> new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND,
                display(schema, logical), null, "a chunk table does not exist", null));
    }

    private static List<SchemaVersion> forTable(List<SchemaVersion> versions, String chunk) {
        List<SchemaVersion> renamed = new ArrayList<>(versions.size());
        versions.forEach(version -> renamed.add(version.forTable(chunk)));
        return renamed;
    }

    private Migration forChunk(Migration migration, String chunk) {
        return new Migration(migration.id(), schema, chunk, migration.changes());
    }

    private static String display(String schema, String table) {
        return schema == null ? table : schema + "." + table;
    }

    /**
     * The started migration on one chunk table: the plan rendered for that table from the logical version
     * before, then run with the engine's locks; a chunk table that has the new version already is left alone
     * where the engine is transactional (its checkpoint went with it), and run again where the statements are
     * idempotent (a chunk cut off half-way is completed). The chunk's columns are checked after.
     */
    private final class ChunkMigration implements ChunkOperation {
        private final HistoryEntry entry;
        private final List<SchemaVersion> liveBefore;
        private final Migration migration;

        ChunkMigration(HistoryEntry entry, List<SchemaVersion> liveBefore) {
            this.entry = entry;
            this.liveBefore = liveBefore;
            this.migration = new Migration(entry.migrationId(), schema, logical, Migrator.changesOf(entry));
        }

        @Override
        public long apply(Connection connection, Chunk chunk) throws SQLException {
            ChunkPlan planned = plan(connection, chunk.table());
            if (planned == null) {
                return 0;
            }
            Plan plan = planned.plan();
            dialect.runMigration(connection, schema, chunk.table(), planned.locked(), plan.statements(),
                    settings.ddlLockTimeout(), settings.ddlLockTimeout(), ran -> { });
            for (Slot slot : plan.to().clearingSlots()) {
                dialect.clearRows(connection, planned.table(), slot.physicalName(), slot.type());
            }
            if (plan.changesTable()) {
                SchemaDiff after = migrator.diff(dialect.introspector().physicalColumns(connection, schema, chunk.table()),
                        plan.to(), Map.of());
                if (!after.isEmpty()) {
                    throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, display(schema, chunk.table()), null,
                            "after migration " + entry.migrationId() + ": " + after, null);
                }
            }
            return 0;
        }

        @Override
        public String describe(Connection connection, Chunk chunk) throws SQLException {
            ChunkPlan planned = plan(connection, chunk.table());
            return planned == null ? "nothing: the chunk table is at version " + entry.version() : planned.plan().toString();
        }

        /**
         * The plan for one chunk table, from one catalog read, or {@code null} when the table is at the new version
         * and its engine is transactional. Refuses, as a migration of a table does, a view name held by an object the
         * library did not make (on an engine that marks its views, a view marked for this chunk table is its own,
         * left by a run cut off).
         */
        private ChunkPlan plan(Connection connection, String chunk) throws SQLException {
            SchemaVersion last = liveBefore.isEmpty() ? null : liveBefore.get(liveBefore.size() - 1);
            String sparePrefix = entry.state().sparePrefix();
            List<SchemaVersion> live = forTable(liveBefore, chunk);
            Set<String> views = viewNames(chunk, last == null ? 0 : last.version(), live);
            CatalogSnapshot catalog = snapshot(connection, chunk, sparePrefix, views);
            SchemaVersion from = last == null ? zero(chunk, sparePrefix, catalog) : last.forTable(chunk);
            if (catalog.physicalColumns().isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, display(schema, chunk), null,
                        "the chunk table the source lists does not exist", null);
            }
            SchemaVersion to = entry.state().forTable(chunk);
            boolean atTarget = migrator.diff(catalog.physicalColumns(), to, Map.of()).isEmpty();
            boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
            if (atTarget && transactional && last != null) {
                return null;
            }
            SchemaDiff drift = migrator.diff(catalog.physicalColumns(), from, migrator.covered(migration, from));
            if (!drift.isEmpty() && !atTarget && transactional) {
                throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, display(schema, chunk), null, "the chunk table is"
                        + " at neither version " + from.version() + " nor " + to.version() + " of " + logical + ": " + drift, null);
            }
            io.github.schemaevolution.api.model.Table table = table(catalog);
            Plan plan = planner.plan(forChunk(migration, chunk), from, live, table,
                    Migrator.onFirstLook(catalog::protectedColumns));
            List<String> locked = migrator.refuseForeignNames(connection, schema, chunk, plan.replacedViews(),
                    migrator.createdViews(chunk, to.version(), from.version() == 0), false,
                    new Migrator.KnownRelations(views, catalog.relations()));
            return new ChunkPlan(plan, table, locked);
        }
    }

    /** A chunk table's plan, the table as read for it, and the existing views it replaces, which are locked first. */
    private record ChunkPlan(Plan plan, io.github.schemaevolution.api.model.Table table, List<String> locked) {
    }

    /** What the locked first step found: a migration to run (begun now or resumed), or the version it had reached. */
    private record Start(HistoryEntry entry, List<SchemaVersion> liveBefore, SchemaVersion current, boolean resumed) {
        static Start begin(HistoryEntry entry, List<HistoryEntry> before) {
            return new Start(entry, Migrator.appliedStates(before), null, false);
        }

        static Start resume(HistoryEntry entry, List<HistoryEntry> entries) {
            return new Start(entry, Migrator.appliedStates(entries.subList(0, entries.size() - 1)), null, true);
        }

        static Start done(SchemaVersion current) {
            return new Start(null, List.of(), current, false);
        }
    }

    /**
     * How a call on the chunked table ended.
     *
     * @param current        the logical table's version after the call ({@code null} while the registration is under way)
     * @param targetVersion  the version the migration makes
     * @param chunks         chunk tables the source lists
     * @param chunksAtTarget chunk tables with the target version
     * @param run            the chunked run of this call ({@code null} when nothing ran)
     */
    public record Result(Outcome outcome, SchemaVersion current, int targetVersion, long chunks, long chunksAtTarget,
                         RunReport run) {
        public enum Outcome {
            /** Every chunk table has the migration: the logical version moved. */
            APPLIED,
            /** Some chunk tables have it, others not yet (outside the run's subset, or the run was cancelled). */
            PENDING,
            /** The migration was applied before. */
            ALREADY_APPLIED
        }
    }

    /** The logical table's current version, and the migration under way on its chunk tables, if any. */
    public record State(Optional<SchemaVersion> current, Optional<Pending> pending) {
    }

    /** A migration started on the chunk tables: {@code chunksDone} of {@code chunks} have its version. */
    public record Pending(String migrationId, int version, long chunks, long chunksDone) {
    }
}
