package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.CatalogSnapshot;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.Introspector;
import io.github.schemaevolution.spi.DdlStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies migrations safely from any number of application instances at once.
 *
 * <p>Every apply takes the table's migration lock, reads the history, and then either does
 * nothing (the migration was applied with the same checksum), refuses (CHECKSUM_MISMATCH), or
 * plans, runs, verifies and records it. On engines with transactional DDL all of that is one
 * transaction, retried as a whole when a DDL statement times out on a table lock. On engines
 * without, the entry is recorded as STARTED before the first statement; every statement is
 * idempotent, so a run that died half-way is completed by the next apply on that table.
 *
 * <p>Reached through {@link io.github.schemaevolution.api.SchemaEvolution}.
 */
public final class Migrator {
    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
    private static final String REGISTER = "register";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final EvolutionSettings settings;
    private final HistoryStore history;
    private final Planner planner;

    public Migrator(DataSource dataSource, Dialect dialect, EvolutionSettings settings) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.settings = settings;
        this.history = dialect.history(settings.historyTable());
        this.planner = new Planner(dialect, settings.views(), settings.policy());
    }

    /**
     * Creates {@code table} with {@code statements} and registers it as version 1, as one step: under the
     * table's migration lock, after every name it derives is checked, and on engines with transactional
     * DDL in one transaction. On engines without, a creation cut off before its registration (a killed
     * process) is completed by the next call: a table that has exactly the columns the model creates, and
     * no history, is registered.
     */
    public SchemaVersion create(Table table, List<DdlStatement> statements) {
        return create(table, statements, false);
    }

    /**
     * The start-up call of any number of instances: creates {@code table} as {@link #create} does, or
     * registers it as {@link #adopt} does when it exists unregistered, or returns its current version
     * when it is registered; under the table's migration lock, so that of instances calling it at once
     * on an empty database exactly one creates and all return the same version.
     */
    public SchemaVersion ensure(Table table, List<DdlStatement> statements) {
        return create(table, statements, true);
    }

    private SchemaVersion create(Table table, List<DdlStatement> statements, boolean orExisting) {
        String schema = table.schema();
        String name = table.name();
        checkViewNames(name, 1);
        return locked(schema, name, connection -> {
            List<HistoryEntry> entries = history.entries(connection, schema, name);
            Optional<HistoryEntry> interruptedRegistration = interruptedRegistration(entries);
            if (interruptedRegistration.isPresent()) {
                return register(connection, schema, name, table.reserve(), interruptedRegistration.get(), table);
            }
            if (!entries.isEmpty()) {
                if (orExisting) {
                    return current(entries);
                }
                throw new SchemaEvolutionException(ErrorCode.TABLE_EXISTS, table.displayName(), null,
                        "already exists on " + dialect.name() + ", registered at version " + current(entries).version(), null);
            }
            requireSchema(connection, schema, name);
            List<Column> physical = dialect.introspector().physicalColumns(connection, schema, name);
            boolean interrupted = !physical.isEmpty() && !dialect.has(Capability.TRANSACTIONAL_DDL)
                    && sameColumns(physical, dialect.canonical(table).physicalColumns());
            if (!physical.isEmpty() && orExisting && !interrupted) {
                LOG.info("{} exists unregistered: adopting it as version 1", table.displayName());
                return register(connection, schema, name, table.reserve(), null, table);
            }
            if (!physical.isEmpty() && !interrupted) {
                throw new SchemaEvolutionException(ErrorCode.TABLE_EXISTS, table.displayName(), null,
                        "already exists on " + dialect.name(), null);
            }
            refuseForeignNames(connection, schema, name, List.of(), createdViews(name, 1, true), false, null);
            if (interrupted) {
                LOG.warn("{} exists with the columns of its model and no history: completing its creation, cut off"
                        + " before its registration", table.displayName());
            } else {
                long start = System.nanoTime();
                try (java.sql.Statement jdbc = connection.createStatement()) {
                    for (DdlStatement statement : statements) {
                        LOG.debug("{}: {}", dialect.name(), statement.sql());
                        jdbc.execute(statement.sql());
                    }
                }
                LOG.info("created {} on {} with {} columns and {} spares in {} ms", table.displayName(), dialect.name(),
                        table.columns().size(), table.reserve().totalSpares(), (System.nanoTime() - start) / 1_000_000);
            }
            return register(connection, schema, name, table.reserve(), null, table);
        });
    }

    private static boolean sameColumns(List<Column> live, List<Column> model) {
        return live.stream().map(c -> c.name() + " " + c.type().sql()).toList()
                .equals(model.stream().map(c -> c.name() + " " + c.type().sql()).toList());
    }

    /**
     * Registers an existing table as version 1 and gives it the spares {@code pool} asks for
     * (counting spares it already has). A table registered before is left as it is.
     */
    public SchemaVersion adopt(String schema, String table, ReservePolicy pool) {
        checkViewNames(table, 1);
        return locked(schema, table, connection -> {
            List<HistoryEntry> entries = history.entries(connection, schema, table);
            Optional<HistoryEntry> interruptedRegistration = interruptedRegistration(entries);
            if (!entries.isEmpty() && interruptedRegistration.isEmpty()) {
                return current(entries);
            }
            requireSchema(connection, schema, table);
            return register(connection, schema, table, pool, interruptedRegistration.orElse(null), null);
        });
    }

    /** The registration that an engine without transactions recorded as started and did not finish, if that is all the history holds. */
    private static Optional<HistoryEntry> interruptedRegistration(List<HistoryEntry> entries) {
        return entries.stream().noneMatch(e -> e.status() == HistoryEntry.Status.APPLIED)
                ? entries.stream().filter(e -> e.version() == 1).findFirst() : Optional.empty();
    }

    /**
     * Registers the existing, unregistered table as version 1, with the spares {@code pool} asks for;
     * completes {@code interrupted}, a registration cut off half-way, when there is one (its statements
     * are idempotent, and the spares it added count as found).
     */
    private SchemaVersion register(Connection connection, String schema, String table, ReservePolicy pool,
            HistoryEntry interrupted, Table model) throws SQLException {
        List<Column> physical = new ArrayList<>();
        for (Column column : dialect.introspector().physicalColumns(connection, schema, table)) {
            // what the model computes stays computed, where the engine keeps a MATERIALIZED column as a plain default
            Optional<Column> modelled = model == null ? Optional.empty() : model.column(column.name());
            physical.add(modelled.flatMap(Column::defaultOptional).filter(ColumnDefault::computed)
                    .map(column::withDefault).orElse(column));
        }
        if (physical.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, display(schema, table), null,
                    "cannot adopt a table that does not exist", null);
        }
        SchemaVersion found = SchemaVersion.initial(schema, table, pool.prefix(), physical);
        Migration.Builder register = Migration.builder(REGISTER, table).schema(schema);
        // families that the same spares serve (on PostgreSQL, Nullable and non-Nullable ones) are counted together
        Map<ColumnType, ReservePolicy.Family> wanted = new LinkedHashMap<>();
        for (ReservePolicy.Family family : pool.families()) {
            ColumnType key = servingKey(dialect.canonicalType(family.type()));
            ReservePolicy.Family before = wanted.get(key);
            wanted.put(key, before == null ? family : new ReservePolicy.Family(before.type(), before.count() + family.count()));
        }
        wanted.forEach((key, family) -> {
            long free = found.slots().stream().filter(slot -> slot.free() && servingKey(slot.type()).equals(key)).count();
            long missing = family.count() - free;
            if (missing > 0) {
                register.change(new Change.RefillPool(family.type(), (int) missing, family.notNull()));
            }
        });
        SchemaVersion zero = new SchemaVersion(schema, table, 0, pool.prefix(), found.columns(), found.slots());
        Plan plan = planner.plan(register.build(), zero, List.of(), live(connection, schema, table, pool.prefix()), Map.of());
        return run(connection, plan, interrupted, null).version();
    }

    /** Spares of the same serving key can hold the same columns: the type, and its nullability where that is stored. */
    private ColumnType servingKey(ColumnType type) {
        return dialect.has(Capability.NULLABLE_IS_STORED) ? type : type.withoutNullable();
    }

    /** Refuses, before anything runs, view names the engine cannot hold (too long, say) for the table's first versions. */
    private void checkViewNames(String table, int version) {
        dialect.identifiers().check(Kind.VIEW, table, settings.views().viewName(table, version));
        settings.views().latestName(table).ifPresent(latest -> dialect.identifiers().check(Kind.VIEW, table, latest));
    }

    /**
     * Refuses a plan whose views would replace or create over an object the library did not create:
     * the views it replaces or drops ({@code replaced}: views of live versions, which the library made)
     * must still be views, and those it creates (the new version's, and the latest view at the first
     * version) must not exist, unless an interrupted run made them: one recorded STARTED, or, on an
     * engine whose views carry the library's mark, a view marked for this table. Only these
     * names are looked at: an object a user made under the name of a retired version's view is none of
     * the library's business.
     *
     * @return the names of {@code replaced} that exist, which the migration locks first
     */
    List<String> refuseForeignNames(Connection connection, String schema, String table, List<String> replaced,
            List<String> created, boolean resuming, KnownRelations known) throws SQLException {
        Map<String, Boolean> names = new LinkedHashMap<>();
        created.forEach(name -> names.put(name, false));
        replaced.forEach(name -> names.put(name, true));
        Map<String, String> found = new LinkedHashMap<>();
        if (known != null && known.asked().containsAll(names.keySet())) {
            known.found().forEach((name, kind) -> {
                if (names.containsKey(name)) {
                    found.put(name, kind);
                }
            });
        } else {
            found.putAll(dialect.introspector().relations(connection, schema, names.keySet()));
        }
        for (Map.Entry<String, String> name : found.entrySet()) {
            // a view the library made for this very table, left by a run cut off before it recorded anything
            boolean ours = names.get(name.getKey()) || resuming || Introspector.libraryView(table).equals(name.getValue());
            if (!ours || !Introspector.isView(name.getValue())) {
                throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, display(schema, table), null, "the view "
                        + name.getKey() + " the library would " + (ours ? "replace" : "create") + " is taken by a "
                        + name.getValue() + " it did not create; nothing was changed. Rename or drop that object, or"
                        + " name the views otherwise (EvolutionSettings views)", null);
            }
        }
        return replaced.stream().filter(found::containsKey).toList();
    }

    /** The views a plan to {@code version} creates: the version's own, and the latest view with the first version. */
    List<String> createdViews(String table, int version, boolean first) {
        List<String> names = new ArrayList<>(List.of(settings.views().viewName(table, version)));
        if (first) {
            settings.views().latestName(table).ifPresent(names::add);
        }
        return names;
    }

    /** What {@link #apply} would run, computed from the history and the catalog; changes nothing. */
    public Plan plan(Migration migration) {
        try (Connection connection = dataSource.getConnection()) {
            List<HistoryEntry> entries = registered(connection, migration.schema(), migration.table());
            return plan(connection, migration, entries).plan();
        } catch (SQLException e) {
            throw databaseError("cannot plan " + migration.id(), e);
        }
    }

    public ApplyResult apply(Migration migration) {
        ApplyResult result;
        try {
            result = applyLocked(migration);
        } catch (SchemaEvolutionException e) {
            // spares whose clearing was cut off (a killed process) come free here, and the pool may then
            // have what the migration needs; looked for only then, so that an apply reads the history once
            if (e.code() != ErrorCode.POOL_EXHAUSTED || current(migration.schema(), migration.table())
                    .filter(version -> !version.clearingSlots().isEmpty()).map(this::finishClearing).isEmpty()) {
                throw e;
            }
            result = applyLocked(migration);
        }
        // this migration's clearing, or one an earlier apply left unfinished
        return result.version().clearingSlots().isEmpty() ? result
                : new ApplyResult(result.outcome(), finishClearing(result.version()), result.plan());
    }

    /**
     * Runs the clearing of the current version's {@linkplain SchemaVersion#clearingSlots() clearing spares}
     * outside any transaction (row locks only: readers never wait for it, and no migration lock is held
     * while it touches every row), then records them free. Nobody writes a clearing spare meanwhile: on
     * PostgreSQL, the one engine that defers clearing, a freed column has its spare name from its
     * retirement on, which no writer uses. Idempotent: an interrupted clearing is run again by the next
     * apply on the table.
     *
     * @param version the table's current version, with spares clearing
     * @return the current version once its spares are free
     */
    private SchemaVersion finishClearing(SchemaVersion version) {
        String schema = version.schema();
        String table = version.table();
        Duration backoff = settings.backoff();
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                dialect.prepareDdl(connection, settings.ddlLockTimeout());
                Table live = live(connection, schema, table, version.sparePrefix());
                for (Slot slot : version.clearingSlots()) {
                    long begin = System.nanoTime();
                    dialect.clearRows(connection, live, slot.physicalName(), slot.type());
                    LOG.info("cleared spare {} of {} in {} ms, after the commit that freed it", slot.physicalName(),
                            version.display(), (System.nanoTime() - begin) / 1_000_000);
                }
                break;
            } catch (SQLException e) {
                if (!dialect.isTransient(e) || attempt >= settings.maxAttempts()) {
                    throw databaseError("cannot clear the dropped columns of " + version.display() + " (they stay out of"
                            + " the pool until the next apply clears them)", e);
                }
                LOG.warn("clearing the dropped columns of {} hit a transient error (attempt {} of {}), retrying in {} ms: {}",
                        version.display(), attempt, settings.maxAttempts(), backoff.toMillis(), e.getMessage());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        return locked(schema, table, connection -> {
            List<HistoryEntry> entries = registered(connection, schema, table);
            HistoryEntry latest = entries.stream().filter(e -> e.status() == HistoryEntry.Status.APPLIED)
                    .reduce((a, b) -> b).orElseThrow();
            // only the spares this call cleared, in the version it read: a later migration records its own
            if (latest.version() != version.version()) {
                return latest.state();
            }
            SchemaVersion free = latest.state().cleared();
            history.record(connection, schema, latest.withState(free));
            return free;
        });
    }

    /**
     * Records that the backfill of slot {@code slotId} completed, in the current version's state (the
     * slot's backfill stays until its old column retires, since writers of older versions may still add
     * rows). Idempotent, and a no-op once a later version has ended the retype.
     */
    public void markBackfilled(String schema, String table, String slotId) {
        locked(schema, table, connection -> {
            HistoryEntry latest = registered(connection, schema, table).stream()
                    .filter(e -> e.status() == HistoryEntry.Status.APPLIED).reduce((a, b) -> b).orElseThrow();
            SchemaVersion state = latest.state();
            Slot slot = state.slots().stream().filter(s -> s.id().equals(slotId)).findFirst().orElse(null);
            if (slot != null && slot.backfill() != null && !slot.backfill().done()) {
                history.record(connection, schema, latest.withState(state.withSlot(slot.withBackfill(slot.backfill().finished()))));
            }
            return null;
        });
    }

    private ApplyResult applyLocked(Migration migration) {
        return locked(migration.schema(), migration.table(), connection -> {
            List<HistoryEntry> entries = registered(connection, migration.schema(), migration.table());
            Optional<HistoryEntry> previous = entries.stream()
                    .filter(e -> e.migrationId().equals(migration.id())).reduce((a, b) -> b);
            if (previous.isPresent() && !previous.get().checksum().equals(migration.checksum())) {
                throw new SchemaEvolutionException(ErrorCode.CHECKSUM_MISMATCH, migration.table(), null,
                        "migration '" + migration.id() + "' was applied as version " + previous.get().version()
                                + " with different content:\n" + previous.get().description() + "\nnow:\n" + migration.describe(), null);
            }
            if (previous.isPresent() && previous.get().status() == HistoryEntry.Status.APPLIED) {
                // every instance meets every applied migration at every start: not news
                LOG.debug("migration {} on {} already applied as version {} by {}", migration.id(),
                        display(migration.schema(), migration.table()), previous.get().version(), previous.get().appliedBy());
                return new ApplyResult(ApplyResult.Outcome.ALREADY_APPLIED, current(entries), null);
            }
            HistoryEntry last = entries.get(entries.size() - 1);
            if (last.status() == HistoryEntry.Status.STARTED) {
                ApplyResult resumed = resume(connection, entries);
                if (last.migrationId().equals(migration.id())) {
                    return resumed;
                }
                entries = history.entries(connection, migration.schema(), migration.table());
            }
            Planned planned = plan(connection, migration, entries);
            return run(connection, planned.plan(), null, planned.relations());
        });
    }

    /** The table's current version, if it is registered. */
    public Optional<SchemaVersion> current(String schema, String table) {
        try (Connection connection = dataSource.getConnection()) {
            List<HistoryEntry> entries = history.entries(connection, schema, table);
            return entries.isEmpty() ? Optional.empty() : Optional.of(current(entries));
        } catch (SQLException e) {
            throw databaseError("cannot read the history of " + display(schema, table), e);
        }
    }

    /** The table's live versions (applied and not retired), oldest first; empty when it is not registered. */
    public List<SchemaVersion> live(String schema, String table) {
        return appliedStates(history(schema, table));
    }

    public List<HistoryEntry> history(String schema, String table) {
        try (Connection connection = dataSource.getConnection()) {
            return history.entries(connection, schema, table);
        } catch (SQLException e) {
            throw databaseError("cannot read the history of " + display(schema, table), e);
        }
    }

    /** Compares the live table with its current version. */
    public SchemaDiff verify(String schema, String table) {
        try (Connection connection = dataSource.getConnection()) {
            List<HistoryEntry> entries = registered(connection, schema, table);
            return diff(connection, current(entries));
        } catch (SQLException e) {
            throw databaseError("cannot verify " + display(schema, table), e);
        }
    }

    /** See {@link io.github.schemaevolution.api.SchemaEvolution#absorbing}. */
    public Optional<Migration> absorbing(String schema, String table) {
        try (Connection connection = dataSource.getConnection()) {
            SchemaVersion current = current(registered(connection, schema, table));
            Map<String, ColumnType> expected = current.expectedPhysicalColumns();
            List<Column> live = dialect.introspector().physicalColumns(connection, schema, table);
            List<String> missing = expected.keySet().stream()
                    .filter(name -> live.stream().noneMatch(c -> c.name().equals(name))).toList();
            if (!missing.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), missing.get(0), "dropped"
                        + " outside the library: " + missing + "; versions still read them, so they cannot be absorbed:"
                        + " restore them", null);
            }
            Migration.Builder absorb = Migration.builder("absorb-v" + (current.version() + 1), table).schema(schema);
            for (Column column : live) {
                ColumnType type = dialect.canonicalType(column.type());
                if (!type.equals(expected.get(column.name()))) {
                    absorb.absorb(column.name(), type);
                }
            }
            Migration migration = absorb.build();
            return migration.changes().isEmpty() ? Optional.empty() : Optional.of(migration);
        } catch (SQLException e) {
            throw databaseError("cannot read the drift of " + display(schema, table), e);
        }
    }

    /**
     * The map {@code read} gives, read when it is first looked at: a plan looks at the protected columns
     * only for drops, renames and retypes, and a dialect may read them with a query of their own.
     */
    static Map<String, String> onFirstLook(java.util.function.Supplier<Map<String, String>> read) {
        return new java.util.AbstractMap<>() {
            private Map<String, String> loaded;

            @Override
            public java.util.Set<Map.Entry<String, String>> entrySet() {
                if (loaded == null) {
                    loaded = read.get();
                }
                return loaded.entrySet();
            }
        };
    }

    /** A plan, and what the catalog said of the names its views take when it was made. */
    private record Planned(Plan plan, KnownRelations relations) {
    }

    /** Which of {@code asked} the catalog held, and as what: read with the plan, so that running it need not ask again. */
    record KnownRelations(java.util.Set<String> asked, Map<String, String> found) {
    }

    /** Plans from one look at the history (given) and one at the catalog. */
    private Planned plan(Connection connection, Migration migration, List<HistoryEntry> entries) throws SQLException {
        SchemaVersion current = current(entries);
        List<SchemaVersion> live = appliedStates(entries);
        java.util.Set<String> views = new java.util.LinkedHashSet<>();
        live.forEach(version -> views.add(settings.views().viewName(migration.table(), version.version())));
        views.add(settings.views().viewName(migration.table(), current.version() + 1));
        settings.views().latestName(migration.table()).ifPresent(views::add);
        CatalogSnapshot catalog = dialect.introspector().snapshot(connection, migration.schema(), migration.table(),
                current.sparePrefix(), views);
        SchemaDiff drift = diff(catalog.physicalColumns(), current, covered(migration, current));
        if (!drift.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, current.display(), null,
                    "refusing to plan " + migration.id() + " on a drifted table: " + drift, null);
        }
        Table table = catalog.table().orElseThrow(() -> notFound(migration.schema(), migration.table()));
        Plan plan = planner.plan(migration, current, live, table, onFirstLook(catalog::protectedColumns));
        return new Planned(plan, new KnownRelations(views, catalog.relations()));
    }

    private ApplyResult resume(Connection connection, List<HistoryEntry> entries) throws SQLException {
        HistoryEntry started = entries.get(entries.size() - 1);
        LOG.warn("completing migration {} (version {}) of {}, started by {} at {} and interrupted",
                started.migrationId(), started.version(), started.state().display(), started.appliedBy(), started.startedAt());
        List<HistoryEntry> before = entries.subList(0, entries.size() - 1);
        List<Change> changes = changesOf(started);
        SchemaVersion state = started.state();
        Migration migration = new Migration(started.migrationId(), state.schema(), state.table(), changes);
        Table live = live(connection, state.schema(), state.table(), state.sparePrefix());
        SchemaVersion from = before.isEmpty()
                ? new SchemaVersion(state.schema(), state.table(), 0, state.sparePrefix(), List.of(), List.of())
                : current(before);
        Plan plan = planner.plan(migration, from, appliedStates(before), live, Map.of());
        return run(connection, plan, started, null);
    }

    /**
     * Runs {@code plan}: records it STARTED first where the engine has no transactions, takes the locks
     * and runs its statements, checks the table against the new version, and records it APPLIED.
     *
     * @param known what the catalog said of the plan's view names when it was made, or {@code null} to ask
     */
    private ApplyResult run(Connection connection, Plan plan, HistoryEntry startedBefore, KnownRelations known)
            throws SQLException {
        SchemaVersion to = plan.to();
        Migration migration = plan.migration();
        boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
        List<String> locked = refuseForeignNames(connection, to.schema(), to.table(), plan.replacedViews(),
                createdViews(to.table(), to.version(), plan.from().version() == 0), startedBefore != null, known);
        if (plan.from().version() == 0) {
            // created with the first write, so that reads and refusals leave the database as they found it;
            // a registered table's history has it
            history.ensureTable(connection, to.schema());
        }
        Instant started = startedBefore != null ? startedBefore.startedAt() : Instant.now();
        HistoryEntry entry = new HistoryEntry(to.table(), to.version(), migration.id(), migration.describe(),
                migration.checksum(), HistoryEntry.Status.STARTED, started, null, settings.instanceId(), to,
                plan.from().version() == 0 ? null : plan.from());
        // a cut-off run of a plan that makes views only leaves views marked as the library's, which the next
        // run replaces: nothing to record before it
        boolean viewsOnly = !plan.changesTable() && dialect.has(Capability.MARKED_VIEWS);
        if (!transactional && startedBefore == null && !viewsOnly) {
            history.record(connection, to.schema(), entry);
        }
        long begin = System.nanoTime();
        int[] ran = {0};
        plan.statements().forEach(statement -> LOG.debug("{} {}: {}", dialect.name(), migration.id(), statement.sql()));
        try {
            dialect.runMigration(connection, to.schema(), to.table(), locked, plan.statements(), settings.ddlLockTimeout(),
                    settings.ddlLockTimeout(), count -> ran[0] = count);
        } catch (SQLException e) {
            if (transactional) {
                throw e;
            }
            // without a transaction what ran stays: say so, keeping the cause so that retries still see it
            throw new SQLException(migration.id() + " on " + to.display() + " stopped after " + ran[0] + " of "
                    + plan.statements().size() + " statements, " + (viewsOnly ? "which make views only, with nothing"
                    + " recorded (the next apply on the table makes them again)" : "with version " + to.version()
                    + " recorded as STARTED (the next apply on the table completes it)") + ": " + e.getMessage(),
                    e.getSQLState(), e.getErrorCode(), e);
        }
        // a plan that changes views only leaves the table as the plan found it
        SchemaDiff diff = plan.changesTable() ? diff(connection, to) : null;
        if (diff != null && !diff.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, to.display(), null,
                    "after migration " + migration.id() + ": " + diff, null);
        }
        List<String> retained = to.slots().stream().filter(slot -> slot.use() == Slot.Use.RETAINED)
                .filter(slot -> plan.from().slots().stream().noneMatch(before -> before.id().equals(slot.id())
                        && before.use() == Slot.Use.RETAINED)).map(Slot::id).toList();
        int retiredUpTo = migration.changes().stream().filter(Change.RetireVersions.class::isInstance)
                .mapToInt(change -> ((Change.RetireVersions) change).upTo()).max().orElse(0);
        history.recordApplied(connection, to.schema(), entry.applied(Instant.now()), retained, retiredUpTo,
                startedBefore != null);
        LOG.info("{} {} on {}: version {} -> {} in {} ms ({} statements, {})", startedBefore == null ? "applied" : "resumed",
                migration.id(), to.display(), plan.from().version(), to.version(),
                (System.nanoTime() - begin) / 1_000_000, plan.statements().size(), plan.cost());
        return new ApplyResult(startedBefore == null ? ApplyResult.Outcome.APPLIED : ApplyResult.Outcome.RESUMED, to, plan);
    }

    private SchemaDiff diff(Connection connection, SchemaVersion expected) throws SQLException {
        return diff(dialect.introspector().physicalColumns(connection, expected.schema(), expected.table()), expected, Map.of());
    }

    /** The drift of the live table from {@code expected}, but for the columns {@code covered} names with their live type. */
    SchemaDiff diff(List<Column> physical, SchemaVersion expected, Map<String, ColumnType> covered) {
        Map<String, ColumnType> live = new LinkedHashMap<>();
        for (Column column : physical) {
            live.put(column.name(), column.type());
        }
        Map<String, ColumnType> wanted = new LinkedHashMap<>(expected.expectedPhysicalColumns());
        covered.forEach((name, type) -> {
            if (type.equals(live.get(name) == null ? null : dialect.canonicalType(live.get(name)))) {
                wanted.put(name, live.get(name));
            }
        });
        return SchemaDiff.of(expected.display(), expected.version(), wanted, live);
    }

    /**
     * The drift a migration takes up: columns it absorbs, and columns made by hand that it adds under the
     * same name and type (the {@code ADD COLUMN IF NOT EXISTS} habit). Any other drift still stops it.
     */
    Map<String, ColumnType> covered(Migration migration, SchemaVersion current) {
        Map<String, ColumnType> covered = new LinkedHashMap<>();
        for (Change change : migration.changes()) {
            if (change instanceof Change.AbsorbColumn absorb) {
                covered.put(absorb.name(), dialect.canonicalType(absorb.type()));
            } else if (change instanceof Change.AddColumn add
                    && current.slots().stream().noneMatch(slot -> slot.physicalName().equals(add.name()))) {
                covered.put(add.name(), dialect.canonicalType(add.type()));
            }
        }
        return covered;
    }

    /** The live table, its columns starting with {@code sparePrefix} (the table's own, which may not be the default) read as spares. */
    private Table live(Connection connection, String schema, String table, String sparePrefix) throws SQLException {
        return dialect.introspector().read(connection, schema, table, sparePrefix).orElseThrow(() -> notFound(schema, table));
    }

    private static SchemaEvolutionException notFound(String schema, String table) {
        return new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, display(schema, table), null, "does not exist", null);
    }

    /** The table's history; callers have made sure the history table exists. */
    private List<HistoryEntry> registered(Connection connection, String schema, String table) throws SQLException {
        List<HistoryEntry> entries = history.entries(connection, schema, table);
        if (!entries.isEmpty() && ChunkedTable.REGISTER.equals(entries.get(0).migrationId())) {
            throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, display(schema, table), null, "is the logical"
                    + " table of chunk tables: plan, apply and verify its changes through ChunkedTable, which runs them"
                    + " on every chunk", null);
        }
        if (entries.isEmpty()) {
            requireSchema(connection, schema, table);
            throw new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, display(schema, table), null,
                    "has no schema history; create it through the library or adopt it first", null);
        }
        return entries;
    }

    static SchemaVersion current(List<HistoryEntry> entries) {
        return entries.stream().filter(e -> e.status() == HistoryEntry.Status.APPLIED).reduce((a, b) -> b)
                .map(HistoryEntry::state).orElseThrow();
    }

    /** The changes of a recorded migration, read back from its description (a line each). */
    static List<Change> changesOf(HistoryEntry entry) {
        List<Change> changes = new ArrayList<>();
        for (String line : entry.description().split("\n")) {
            if (!line.isBlank()) {
                changes.add(Change.parse(line));
            }
        }
        return changes;
    }

    /** The versions that are live: applied, and not retired by a later retirement. */
    static List<SchemaVersion> appliedStates(List<HistoryEntry> entries) {
        int retiredUpTo = 0;
        for (HistoryEntry entry : entries) {
            if (entry.status() == HistoryEntry.Status.APPLIED && entry.description() != null) {
                for (String line : entry.description().split("\n")) {
                    if (!line.isBlank() && Change.parse(line) instanceof Change.RetireVersions retire) {
                        retiredUpTo = Math.max(retiredUpTo, retire.upTo());
                    }
                }
            }
        }
        int oldestLive = retiredUpTo + 1;
        return entries.stream().filter(e -> e.status() == HistoryEntry.Status.APPLIED && e.version() >= oldestLive)
                .map(HistoryEntry::state).toList();
    }

    /**
     * Runs {@code work} under the migration lock of {@code table} (any name the library serialises changes
     * by), in a transaction where the engine has them, tried again on transient errors (a lock timeout, a
     * lost connection) up to the settings' attempts: the work must be safe to run again after a failure.
     */
    public <T> T locked(String schema, String table, Work<T> work) {
        boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
        Duration backoff = settings.backoff();
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(!transactional);
                try (HistoryStore.Lock lock = history.lock(connection, schema, table, settings.instanceId(),
                        settings.migrationLockWait(), settings.lockLease(), dataSource)) {
                            T result = work.run(connection);
                    if (transactional) {
                        connection.commit();
                    }
                    return result;
                } catch (SQLException | RuntimeException e) {
                    if (transactional) {
                        rollbackQuietly(connection);
                    }
                    throw e;
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            } catch (SQLException e) {
                if (!dialect.isTransient(e)) {
                    // a missing schema is looked for only now: on some engines the lock is a table in it
                    requireSchema(schema, table);
                    throw databaseError("schema change on " + display(schema, table) + " failed", e);
                }
                if (attempt >= settings.maxAttempts()) {
                    boolean lost = lostConnection(e);
                    throw new SchemaEvolutionException(lost ? ErrorCode.DATABASE_ERROR : ErrorCode.LOCK_TIMEOUT,
                            display(schema, table), null, "gave up after " + attempt + " attempts, each "
                            + (lost ? "losing its connection" : "waiting at most " + settings.ddlLockTimeout().toMillis()
                            + " ms for its table lock") + "; " + (transactional ? "nothing was changed"
                            : "an attempt's statements stay where it stopped, as the last error says") + ". Last error: "
                            + e.getMessage(), e);
                }
                LOG.warn("schema change on {} hit a transient error (attempt {} of {}), retrying in {} ms: {}",
                        display(schema, table), attempt, settings.maxAttempts(), backoff.toMillis(), e.getMessage());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** SCHEMA_NOT_FOUND when {@code schema} is named and missing: looked for only when something came back empty or failed. */
    private void requireSchema(Connection connection, String schema, String table) throws SQLException {
        if (schema != null && !dialect.introspector().schemaExists(connection, schema)) {
            throw new SchemaEvolutionException(ErrorCode.SCHEMA_NOT_FOUND, display(schema, table), null,
                    "the schema (or database) " + schema + " does not exist; create it first", null);
        }
    }

    private void requireSchema(String schema, String table) {
        if (schema == null) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            requireSchema(connection, schema, table);
        } catch (SQLException e) {
            LOG.debug("cannot look for schema {} after a failure", schema, e);
        }
    }

    /** Whether the engine could not be reached, rather than a lock not taken in time (SQL state class 08, a refused connection). */
    private static boolean lostConnection(SQLException error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.SocketException
                    || cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed after an error; the connection is discarded", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, "interrupted while waiting to retry", e);
        }
    }

    private static String display(String schema, String table) {
        return schema == null ? table : schema + "." + table;
    }

    static SchemaEvolutionException databaseError(String what, SQLException e) {
        if (e.getCause() instanceof SchemaEvolutionException refusal) {
            return refusal;
        }
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR,
                what + ": " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
    }

    /** Work done on one connection under a migration lock. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
