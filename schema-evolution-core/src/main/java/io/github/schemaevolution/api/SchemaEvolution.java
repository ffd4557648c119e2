package io.github.schemaevolution.api;

import java.util.Map;
import java.util.HashMap;
import java.util.ArrayList;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.evolution.Backfill;
import io.github.schemaevolution.api.evolution.Change;
import io.github.schemaevolution.api.evolution.Slot;
import io.github.schemaevolution.api.evolution.Release;
import io.github.schemaevolution.api.evolution.ChangePolicy;
import io.github.schemaevolution.spi.IdentifierRules;

import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Migrator;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.PoolStatus;
import io.github.schemaevolution.api.evolution.SchemaDiff;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.DdlStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Entry point: a dialect bound to a {@link DataSource}. Every method that changes the database
 * first validates and renders everything it will run, so that a refusal leaves the database
 * untouched; on engines with transactional DDL the statements of one call also commit or roll
 * back together.
 *
 * <p>Thread-safe: it holds no connection, only the data source.
 */
public final class SchemaEvolution {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolution.class);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final EvolutionSettings settings;
    private final Migrator migrator;

    private SchemaEvolution(DataSource dataSource, Dialect dialect, EvolutionSettings settings) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.migrator = new Migrator(dataSource, dialect, settings);
    }

    /** Binds the dialect that serves the data source's JDBC URL, with default settings. */
    public static SchemaEvolution connect(DataSource dataSource) {
        return connect(dataSource, EvolutionSettings.DEFAULT);
    }

    /** Binds the dialect that serves the data source's JDBC URL. */
    public static SchemaEvolution connect(DataSource dataSource, EvolutionSettings settings) {
        try (Connection connection = dataSource.getConnection()) {
            return new SchemaEvolution(dataSource, Dialects.forJdbcUrl(connection.getMetaData().getURL()), settings);
        } catch (SQLException e) {
            throw databaseError("cannot open a connection to detect the dialect", e);
        }
    }

    public static SchemaEvolution connect(DataSource dataSource, Dialect dialect) {
        return new SchemaEvolution(dataSource, dialect, EvolutionSettings.DEFAULT);
    }

    public static SchemaEvolution connect(DataSource dataSource, Dialect dialect, EvolutionSettings settings) {
        return new SchemaEvolution(dataSource, dialect, settings);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The data source every call of this instance takes its connections from. */
    public DataSource dataSource() {
        return dataSource;
    }

    public EvolutionSettings settings() {
        return settings;
    }

    /**
     * Creates the table with its spares and registers it as version 1, with its view, as one step:
     * under the table's migration lock, in one transaction on PostgreSQL. Refused before any
     * statement when the model breaks a rule of the engine, when the table exists, or when a name the
     * library would derive (a view, a lock table) is too long or taken by an object it did not create
     * (NAME_TAKEN). On ClickHouse, which has no transactions, a creation cut off before its
     * registration (a killed process) is completed by the next {@code create}.
     */
    public SchemaVersion create(Table table) {
        return migrator.create(table, planCreateTable(table));
    }

    /**
     * The call for application start-up, safe from any number of instances at once, on an empty
     * database too: creates the table (as {@link #create}) when it does not exist, registers it (as
     * {@link #adopt}, with the model's reserve) when it exists unregistered, and otherwise leaves it
     * as it is; then returns its current version. Exactly one instance acts; every instance returns the
     * same version. The model only matters to the instance that creates: a registered table's
     * migrations, not its first model, make its current version.
     */
    public SchemaVersion ensure(Table table) {
        return migrator.ensure(table, planCreateTable(table));
    }

    /**
     * Registers a table that exists already (created by hand, or by another tool) as version 1 and
     * adds the spares {@code pool} asks for beyond those it has. A registered table is left as is.
     */
    public SchemaVersion adopt(String schema, String table, ReservePolicy pool) {
        return migrator.adopt(schema, table, pool);
    }

    /** The dry run: what {@link #apply(Migration)} would run. Reads the catalog and history only. */
    public Plan plan(Migration migration) {
        return migrator.plan(migration);
    }

    /**
     * Applies a migration exactly once across every instance that calls this concurrently: one
     * applies it, the others wait for it and return {@link ApplyResult.Outcome#ALREADY_APPLIED}.
     */
    public ApplyResult apply(Migration migration) {
        return migrator.apply(migration);
    }

    /**
     * Retires every version of the table up to {@code upToVersion}, once no reader and no writer uses
     * them: drops their views, records it in the history, and clears and returns to the pool the
     * dropped columns that no live version maps any more. The current version cannot be retired.
     * Applied as the migration {@code retire-up-to-<upToVersion>}, so that calling it again is
     * ALREADY_APPLIED.
     */
    public ApplyResult retire(String schema, String table, int upToVersion) {
        return apply(Migration.builder("retire-up-to-" + upToVersion, table).schema(schema).retire(upToVersion).build());
    }

    /**
     * Applies {@code migration} as an exclusive change: {@code gate} is closed first (its lease
     * {@code lease}, waiting at most {@code drain} for the instances to drain), so that user statements
     * wait instead of queueing behind its locks, and opened again however the migration ends.
     */
    public ApplyResult applyExclusive(Migration migration, io.github.schemaevolution.api.gate.MaintenanceGate gate,
                                      java.time.Duration lease, java.time.Duration drain) {
        try (io.github.schemaevolution.api.gate.MaintenanceGate.Closure closed = gate.close(lease, drain)) {
            LOG.info("applying {} to {} with maintenance gate {} closed (epoch {})", migration.id(), migration.table(),
                    gate.name(), closed.epoch());
            return apply(migration);
        }
    }

    /**
     * Publishes the table's current schema as the release {@code release}: applied as the migration
     * {@code publish-<release>}, which makes a version (its view is the release's view) and records the
     * release and its policy in the history. Under {@link ChangePolicy#ADDITIVE} (a frozen data release)
     * every later change must keep query results: see {@link ChangePolicy}.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when the name is published already, or a retype
     *         waits for its backfill (finish it first: a frozen release is not written again)
     */
    public ApplyResult publish(String schema, String table, String release, ChangePolicy policy) {
        return apply(Migration.builder("publish-" + release, table).schema(schema).publish(release, policy).build());
    }

    /** The releases published of the table, oldest first, each with its version and policy. */
    public List<Release> releases(String schema, String table) {
        return currentVersion(schema, table).map(SchemaVersion::releases).orElseThrow(() -> new SchemaEvolutionException(
                ErrorCode.NOT_REGISTERED, table, null, "has no schema history", null));
    }

    /** The version the table is at, if it is registered. */
    public Optional<SchemaVersion> currentVersion(String schema, String table) {
        return migrator.current(schema, table);
    }

    /**
     * The versions of the table that readers and writers may still use: applied, and not retired. Oldest
     * first, the current version last; empty when the table is not registered.
     */
    public List<SchemaVersion> liveVersions(String schema, String table) {
        return migrator.live(schema, table);
    }

    /**
     * Runs {@code work} under the migration lock of {@code name} (a table, or any name changes are
     * serialised by), in one transaction on engines with transactional DDL, tried again on a transient
     * failure: {@code work} must be safe to run again. What the library's own changes use; for
     * extensions that change several objects as one step.
     */
    public <T> T underLock(String schema, String name, Migrator.Work<T> work) {
        return migrator.locked(schema, name, work);
    }

    /** The table's schema history, oldest first. */
    public List<HistoryEntry> history(String schema, String table) {
        return migrator.history(schema, table);
    }

    /** Free and used spares per type family. */
    public PoolStatus pool(String schema, String table) {
        return currentVersion(schema, table).map(SchemaVersion::pool).orElseThrow(() -> new SchemaEvolutionException(
                ErrorCode.NOT_REGISTERED, table, null, "has no schema history", null));
    }

    /** Compares the live table with its current version (for start-up checks); never changes anything. */
    public SchemaDiff verify(String schema, String table) {
        return migrator.verify(schema, table);
    }

    /**
     * Phase two of a retype ({@link Change.RetypeColumn}): writes the retype's expression into the new
     * column of {@code column}, chunk by chunk, with a default {@link ChunkRunner} (checkpoints in
     * {@code schema_evolution_chunks}). See {@link #backfill(String, String, String, ChunkSource, ChunkRunner)}.
     */
    public RunReport backfill(String schema, String table, String column, ChunkSource chunks) {
        return backfill(schema, table, column, chunks, ChunkRunner.builder(dataSource, dialect).build());
    }

    /**
     * Phase two of a retype: runs the backfill of {@code column} over {@code chunks} with {@code runner}
     * (its parallelism, pace, retries and progress listener), under the run id
     * {@code backfill-<table>-<new column>}, so that a run killed half-way, or started by several instances,
     * resumes from its checkpoints. Idempotent: it writes only rows that still read the old column's value,
     * so it can be run again after the writers of older versions have stopped, to catch up the rows they
     * wrote, which the retirement of their versions requires. A completed run is recorded in the history.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when the column has no retype to backfill
     */
    public RunReport backfill(String schema, String table, String column, ChunkSource chunks, ChunkRunner runner) {
        SchemaVersion current = currentVersion(schema, table).orElseThrow(() -> new SchemaEvolutionException(
                ErrorCode.NOT_REGISTERED, table, null, "has no schema history", null));
        refuseUpdates(current, column);
        Slot target = current.slot(current.requireColumn(column).slot());
        Backfill backfill = target.backfill();
        if (backfill == null) {
            throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), column, "no retype of the"
                    + " column is waiting for its backfill at version " + current.version(), null);
        }
        String from = dialect.identifiers().quote(IdentifierRules.Kind.COLUMN, table, current.slot(backfill.fromSlot()).physicalName());
        RunReport report = runner.run("backfill-" + table + "-" + target.id(), chunks,
                dialect.backfill(target.physicalName(), backfill.over(from)));
        if (report.outcome() == RunReport.Outcome.COMPLETED) {
            migrator.markBackfilled(schema, table, target.id());
            LOG.info("backfill of {} in {} complete: the versions that read its old column can be retired once their"
                    + " writers have stopped", column, current.display());
        }
        return report;
    }

    /** An update of existing values, refused by the settings' policy or a release's: rule no-update. */
    private void refuseUpdates(SchemaVersion current, String column) {
        settings.policy().refusalOfUpdates().ifPresent(rule -> {
            throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), column, "the change policy "
                    + settings.policy().label() + " of these settings forbids a backfill: rule " + rule, null);
        });
        for (Release release : current.releases()) {
            release.policy().refusalOfUpdates().ifPresent(rule -> {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), column, "release "
                        + release.name() + " (version " + release.version() + ", policy " + release.policy().label()
                        + ") forbids a backfill: rule " + rule, null);
            });
        }
    }

    /**
     * The migrations of {@code migrations} not applied yet, in their order; each table's history is read
     * once. For tools that show what {@link #apply} would do (the command line, the Maven plugin).
     */
    public List<Migration> pending(List<Migration> migrations) {
        Map<String, List<HistoryEntry>> histories = new HashMap<>();
        List<Migration> pending = new ArrayList<>();
        for (Migration migration : migrations) {
            List<HistoryEntry> entries = histories.computeIfAbsent(migration.schema() + "." + migration.table(),
                    key -> history(migration.schema(), migration.table()));
            if (entries.stream().noneMatch(e -> e.migrationId().equals(migration.id()) && e.status() == HistoryEntry.Status.APPLIED)) {
                pending.add(migration);
            }
        }
        return pending;
    }

    /**
     * The migration that records the table's drift as its next version ({@link Change.AbsorbColumn} per
     * column made or retyped outside the library), to review with {@link #plan} and then {@link #apply}:
     * a table that drifts again in between is refused by the apply. Empty when there is no drift.
     *
     * @throws SchemaEvolutionException CHANGE_FORBIDDEN when a column was dropped outside the library,
     *         which older versions still read: restore it instead
     */
    public Optional<Migration> absorbing(String schema, String table) {
        return migrator.absorbing(schema, table);
    }

    /**
     * The start-up check: verifies the table and either logs a warning or throws SCHEMA_DRIFT
     * carrying the difference.
     */
    public SchemaDiff verifyAtStartup(String schema, String table, boolean failOnDrift) {
        SchemaDiff diff = verify(schema, table);
        if (!diff.isEmpty()) {
            if (failOnDrift) {
                throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, table, null, diff.toString(), null);
            }
            LOG.warn("schema drift: {}", diff);
        }
        return diff;
    }

    /** The statements {@link #createTable(Table)} would run; touches nothing. */
    public List<DdlStatement> planCreateTable(Table table) {
        return dialect.createTable(table);
    }

    /**
     * Creates the table with its spare columns.
     *
     * @throws SchemaEvolutionException TABLE_EXISTS when it exists, or the dialect's refusal
     */
    public void createTable(Table table) {
        List<DdlStatement> statements = planCreateTable(table);
        if (exists(table.schema(), table.name())) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_EXISTS, table.displayName(), null,
                    "already exists on " + dialect.name(), null);
        }
        long start = System.nanoTime();
        execute(statements);
        LOG.info("created {} on {} with {} columns and {} spares in {} ms", table.displayName(), dialect.name(),
                table.columns().size(), table.reserve().totalSpares(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Drops the table if it exists. */
    public void dropTable(String schema, String table) {
        execute(List.of(dialect.dropTable(schema, table)));
    }

    /** Reads the live table back into the model (canonical form of the dialect). */
    public Optional<Table> readTable(String schema, String table, String sparePrefix) {
        try (Connection connection = dataSource.getConnection()) {
            return dialect.introspector().read(connection, schema, table, sparePrefix);
        } catch (SQLException e) {
            throw databaseError("cannot read table " + table, e);
        }
    }

    public boolean exists(String schema, String table) {
        return readTable(schema, table, ReservePolicy.DEFAULT_PREFIX).isPresent();
    }

    /** Runs statements in order; in one transaction where the engine has transactional DDL. */
    public void execute(List<DdlStatement> statements) {
        boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            if (transactional) {
                connection.setAutoCommit(false);
            }
            try (java.sql.Statement jdbc = connection.createStatement()) {
                for (DdlStatement statement : statements) {
                    LOG.debug("{}: {}", dialect.name(), statement.sql());
                    jdbc.execute(statement.sql());
                }
                if (transactional) {
                    connection.commit();
                }
            } catch (SQLException | RuntimeException e) {
                if (transactional) {
                    connection.rollback();
                }
                throw e;
            } finally {
                if (transactional) {
                    connection.setAutoCommit(autoCommit);
                }
            }
        } catch (SQLException e) {
            throw databaseError("statement failed on " + dialect.name(), e);
        }
    }

    private static SchemaEvolutionException databaseError(String what, SQLException e) {
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR,
                what + ": " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
    }
}
