package io.github.schemaevolution.cli;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.chunk.Checksums;
import io.github.schemaevolution.api.copies.CopyState;
import io.github.schemaevolution.api.copies.TableCopies;
import io.github.schemaevolution.api.evolution.ChangePolicy;
import io.github.schemaevolution.api.evolution.Release;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.ChunkedTable;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.SchemaDiff;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.migrations.MigrationFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The command line: the library for operators and for services in any language, over the database
 * and a folder of migration files ({@link MigrationFiles}). Every command prints text, or JSON with
 * {@code --json}, and ends with an exit code that means something:
 * <ul>
 *   <li>0: done (or nothing to do);</li>
 *   <li>2: {@code verify} found drift, or {@code status --check} found pending migrations or drift;</li>
 *   <li>3: refused (a coded error: bad input, a forbidden change, an exhausted pool; nothing was changed);</li>
 *   <li>4: the database failed or was unreachable, or a lock was not obtained; a retry may succeed;</li>
 *   <li>5: a backfill did not complete (failed or cancelled; its checkpoints stay, run it again);</li>
 *   <li>64: the command line itself is wrong.</li>
 * </ul>
 */
@Command(name = "schema-evolution", mixinStandardHelpOptions = true, version = "schema-evolution 0.1.0-SNAPSHOT",
        description = "Evolve the schemas of large ClickHouse and PostgreSQL tables without downtime.",
        subcommands = {Main.Status.class, Main.PlanCommand.class, Main.Apply.class, Main.Verify.class, Main.History.class,
                Main.Pool.class, Main.Retire.class, Main.Backfill.class, Main.Publish.class, Main.Releases.class,
                Main.Copies.class, Main.Chunked.class, Main.ChunksReport.class, Main.HostsCompare.class},
        exitCodeOnInvalidInput = Main.USAGE)
public final class Main {
    static final int DRIFT = 2;
    static final int REFUSED = 3;
    static final int TRANSIENT = 4;
    static final int INCOMPLETE = 5;
    static final int USAGE = 64;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code, for tests and embedding. */
    static int run(String... args) {
        CommandLine line = new CommandLine(new Main());
        // a wrong command line is 64 for every subcommand, never the 2 that means drift
        line.getSubcommands().values().forEach(Main::usageExitCode);
        line.setExecutionExceptionHandler((error, command, parsed) -> {
            PrintWriter err = command.getErr();
            if (error instanceof SchemaEvolutionException coded) {
                err.println("error: " + coded.getMessage());
                return coded.code().retryable() ? TRANSIENT : REFUSED;
            }
            err.println("error: " + error);
            return 1;
        });
        return line.execute(args);
    }

    private static void usageExitCode(CommandLine command) {
        command.getCommandSpec().exitCodeOnInvalidInput(USAGE);
        command.getSubcommands().values().forEach(Main::usageExitCode);
    }

    /** Where the database is; the password is best given by the environment. */
    static final class Connection {
        @Option(names = "--url", required = true, defaultValue = "${env:SCHEMA_EVOLUTION_URL}",
                description = "JDBC URL (env SCHEMA_EVOLUTION_URL): jdbc:postgresql://... or jdbc:clickhouse://...")
        String url;

        @Option(names = "--user", defaultValue = "${env:SCHEMA_EVOLUTION_USER}", description = "user (env SCHEMA_EVOLUTION_USER)")
        String user;

        @Option(names = "--password", defaultValue = "${env:SCHEMA_EVOLUTION_PASSWORD}",
                description = "password (env SCHEMA_EVOLUTION_PASSWORD)")
        String password;

        @Option(names = "--json", description = "print JSON for scripts")
        boolean json;

        SchemaEvolution evolution() {
            return SchemaEvolution.connect(DriverDataSource.of(url, user, password));
        }
    }

    /** A table named on the command line. */
    static final class TableOption {
        @Option(names = "--table", required = true, description = "the table")
        String table;

        @Option(names = "--schema", description = "its schema (PostgreSQL) or database (ClickHouse); default: the connection's")
        String schema;
    }

    /** How a chunked run cuts an integer key into ranges, and how many ranges it runs at once. */
    static final class Ranges {
        @Option(names = "--key", defaultValue = "id", description = "the integer key the ranges cut (default: ${DEFAULT-VALUE})")
        String key;

        @Option(names = "--rows-per-chunk", defaultValue = "100000", description = "rows per chunk (default: ${DEFAULT-VALUE})")
        long rowsPerChunk;

        @Option(names = "--parallelism", defaultValue = "1", description = "chunks at once (default: ${DEFAULT-VALUE})")
        int parallelism;
    }

    /** A chunked run's report, for --json. */
    private static Map<String, Object> runJson(RunReport report) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("runId", report.runId());
        row.put("outcome", report.outcome().name());
        row.put("chunksDone", report.chunksDone());
        row.put("chunksSkipped", report.chunksSkipped());
        row.put("rows", report.rows());
        row.put("seconds", report.elapsed().toMillis() / 1000.0);
        return row;
    }

    /** The folder of migration files. */
    static final class Files {
        @Option(names = "--dir", defaultValue = "migrations", description = "the folder of migration files (default: ${DEFAULT-VALUE})")
        Path dir;

        List<Migration> migrations() {
            return MigrationFiles.read(dir);
        }
    }

    private static void print(Connection connection, Object json, String text) throws Exception {
        System.out.println(connection.json ? JSON.writeValueAsString(json) : text);
    }

    private static List<Map<String, String>> json(List<io.github.schemaevolution.spi.DdlStatement> statements) {
        return statements.stream().map(s -> Map.of("sql", s.sql(), "cost", s.cost().name())).toList();
    }

    private static String display(String schema, String table) {
        return schema == null ? table : schema + "." + table;
    }

    @Command(name = "status", description = "Versions, pending migrations, drift and pool of the tables the migration files name.")
    static final class Status implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Files files;

        @Option(names = "--check", description = "exit with 2 when a migration is pending or a table drifted")
        boolean check;

        @Override
        public Integer call() throws Exception {
            SchemaEvolution evolution = connection.evolution();
            List<Migration> migrations = files.migrations();
            List<Migration> pending = evolution.pending(migrations);
            List<Map<String, Object>> tables = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            boolean attention = !pending.isEmpty();
            for (Migration table : migrations.stream().filter(distinctTables()).toList()) {
                Optional<SchemaVersion> version = evolution.currentVersion(table.schema(), table.table());
                List<String> waiting = pending.stream().filter(m -> sameTable(m, table)).map(Migration::id).toList();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("table", display(table.schema(), table.table()));
                row.put("version", version.map(SchemaVersion::version).orElse(null));
                row.put("pending", waiting);
                String drift = null;
                if (version.isPresent()) {
                    SchemaDiff diff = evolution.verify(table.schema(), table.table());
                    drift = diff.isEmpty() ? null : diff.toString();
                    row.put("pool", version.get().pool().toString());
                    row.put("retypes", version.get().retypes().stream().map(r -> r.column() + " " + r.phase()).toList());
                }
                row.put("drift", drift);
                attention |= drift != null;
                tables.add(row);
                text.append(row.get("table")).append(": ").append(version.map(v -> "version " + v.version()).orElse("not registered"))
                        .append(", ").append(waiting.isEmpty() ? "up to date" : waiting.size() + " pending " + waiting)
                        .append(drift == null ? "" : "\n  DRIFT: " + drift)
                        .append(version.map(v -> "\n  " + v.pool()).orElse("")).append('\n');
            }
            print(connection, Map.of("tables", tables), text.toString().stripTrailing());
            return check && attention ? DRIFT : 0;
        }
    }

    private static java.util.function.Predicate<Migration> distinctTables() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return migration -> seen.add(migration.schema() + "." + migration.table());
    }

    private static boolean sameTable(Migration a, Migration b) {
        return a.table().equals(b.table()) && java.util.Objects.equals(a.schema(), b.schema());
    }

    @Command(name = "plan", description = "The dry run of the next pending migration of each table: its statements, their cost, its notes.")
    static final class PlanCommand implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Files files;

        @Override
        public Integer call() throws Exception {
            SchemaEvolution evolution = connection.evolution();
            List<Migration> pending = evolution.pending(files.migrations());
            List<Map<String, Object>> plans = new ArrayList<>();
            List<String> waiting = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (Migration migration : pending) {
                // only the first pending migration of a table can be planned: the others start from its result
                if (plans.stream().anyMatch(p -> p.get("table").equals(display(migration.schema(), migration.table())))) {
                    waiting.add(migration.id());
                    continue;
                }
                Plan plan = evolution.plan(migration);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("migration", migration.id());
                row.put("table", display(migration.schema(), migration.table()));
                row.put("from", plan.from().version());
                row.put("to", plan.to().version());
                row.put("cost", plan.cost().name());
                row.put("statements", json(plan.statements()));
                row.put("afterCommit", json(plan.afterCommit()));
                row.put("notes", plan.notes());
                plans.add(row);
                text.append(plan).append("\n\n");
            }
            if (!waiting.isEmpty()) {
                text.append("after these: ").append(waiting).append('\n');
            }
            print(connection, Map.of("plans", plans, "waiting", waiting), pending.isEmpty() ? "nothing pending" : text.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "apply", description = "Applies the pending migrations in file order; safe to run from many processes at once.")
    static final class Apply implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin Files files;

        @Override
        public Integer call() throws Exception {
            SchemaEvolution evolution = connection.evolution();
            List<Map<String, Object>> results = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (Migration migration : files.migrations()) {
                ApplyResult result = evolution.apply(migration);
                results.add(Map.of("migration", migration.id(), "table", display(migration.schema(), migration.table()),
                        "outcome", result.outcome().name(), "version", result.version().version()));
                text.append(migration.id()).append(": ").append(result.outcome()).append(", ")
                        .append(display(migration.schema(), migration.table())).append(" at version ")
                        .append(result.version().version()).append('\n');
            }
            print(connection, Map.of("applied", results), results.isEmpty() ? "no migration files" : text.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "verify", description = "Compares a table with its current version; exit code 2 on drift.")
    static final class Verify implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Override
        public Integer call() throws Exception {
            SchemaDiff diff = connection.evolution().verify(table.schema, table.table);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("table", diff.table());
            row.put("version", diff.version());
            row.put("missing", diff.missing());
            row.put("extra", diff.extra());
            row.put("mistyped", diff.mistyped());
            row.put("drift", !diff.isEmpty());
            print(connection, row, diff.toString());
            return diff.isEmpty() ? 0 : DRIFT;
        }
    }

    @Command(name = "history", description = "The recorded migrations of a table.")
    static final class History implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (HistoryEntry entry : connection.evolution().history(table.schema, table.table)) {
                rows.add(Map.of("version", entry.version(), "migration", entry.migrationId(), "status", entry.status().name(),
                        "appliedBy", entry.appliedBy(), "checksum", entry.checksum()));
                text.append(String.format("v%-4d %-8s %s (%s)%n", entry.version(), entry.status(), entry.migrationId(), entry.appliedBy()));
            }
            print(connection, Map.of("history", rows), text.toString().stripTrailing());
            return 0;
        }
    }

    @Command(name = "pool", description = "Free and used spares of a table, per family.")
    static final class Pool implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Override
        public Integer call() throws Exception {
            var pool = connection.evolution().pool(table.schema, table.table);
            Map<String, Object> families = new LinkedHashMap<>();
            pool.families().forEach((type, family) -> families.put(type.sql(),
                    Map.of("free", family.free(), "inUse", family.inUse(), "retained", family.retained())));
            print(connection, Map.of("families", families, "physicalColumns", pool.physicalColumns()), pool.toString());
            return 0;
        }
    }

    @Command(name = "retire", description = "Retires the versions of a table up to one, once no reader or writer uses them.")
    static final class Retire implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Option(names = "--up-to", required = true, description = "the last version to retire")
        int upTo;

        @Override
        public Integer call() throws Exception {
            ApplyResult result = connection.evolution().retire(table.schema, table.table, upTo);
            print(connection, Map.of("outcome", result.outcome().name(), "version", result.version().version()),
                    "retired versions up to " + upTo + ": " + result.outcome() + ", now at version " + result.version().version());
            return 0;
        }
    }

    @Command(name = "backfill", description = "Phase two of a retype: fills the new column over key ranges, resumable, with a progress bar.")
    static final class Backfill implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Option(names = "--column", required = true, description = "the retyped column")
        String column;

        @Mixin Ranges ranges;

        @Option(names = "--max-rows-per-second", description = "throttle")
        Double maxRowsPerSecond;

        @Option(names = "--progress", defaultValue = "auto", description = "the progress bar: auto (on a terminal), always, never")
        String progress;

        @Override
        public Integer call() throws Exception {
            SchemaEvolution evolution = connection.evolution();
            ChunkSource chunks = evolution.dialect().chunks().keyRanges(table.table, ranges.key, ranges.rowsPerChunk);
            boolean bar = progress.equals("always") || (progress.equals("auto") && System.console() != null && !connection.json);
            ProgressBar progressBar = new ProgressBar(System.err);
            ChunkRunner.Builder runner = ChunkRunner.builder(DriverDataSource.of(connection.url, connection.user, connection.password),
                    evolution.dialect()).parallelism(ranges.parallelism);
            if (maxRowsPerSecond != null) {
                runner.maxRowsPerSecond(maxRowsPerSecond);
            }
            if (bar) {
                runner.listener(progressBar);
            }
            RunReport report;
            try {
                report = evolution.backfill(table.schema, table.table, column, chunks, runner.build());
            } finally {
                progressBar.finish();
            }
            print(connection, runJson(report), "backfill of " + column + ": " + report.outcome() + ", " + report.chunksDone() + " chunks done, "
                    + report.chunksSkipped() + " skipped, " + report.rows() + " rows"
                    + report.failedChunkId().map(chunk -> ", failed at " + chunk).orElse(""));
            return report.outcome() == RunReport.Outcome.COMPLETED ? 0 : INCOMPLETE;
        }
    }

    @Command(name = "publish", description = "Publishes a table's current schema as a named release, frozen by its policy.")
    static final class Publish implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Option(names = "--release", required = true, description = "the release's name, e.g. DR1")
        String release;

        @Option(names = "--policy", defaultValue = "additive", description = "additive (frozen: only changes that keep query"
                + " results) or any (default: ${DEFAULT-VALUE})")
        String policy;

        @Override
        public Integer call() throws Exception {
            ApplyResult result = connection.evolution().publish(table.schema, table.table, release, ChangePolicy.of(policy));
            print(connection, Map.of("outcome", result.outcome().name(), "version", result.version().version()),
                    "published " + release + " of " + display(table.schema, table.table) + ": " + result.outcome()
                    + ", version " + result.version().version());
            return 0;
        }
    }

    @Command(name = "releases", description = "The releases published of a table, with their versions and policies.")
    static final class Releases implements Callable<Integer> {
        @Mixin Connection connection;
        @Mixin TableOption table;

        @Override
        public Integer call() throws Exception {
            List<Release> releases = connection.evolution().releases(table.schema, table.table);
            List<Map<String, Object>> rows = releases.stream().map(r -> Map.<String, Object>of("release", r.name(),
                    "version", r.version(), "policy", r.policy().label())).toList();
            StringBuilder text = new StringBuilder();
            releases.forEach(r -> text.append(text.length() == 0 ? "" : "\n").append(r.name()).append("  version ")
                    .append(r.version()).append("  policy ").append(r.policy().label()));
            print(connection, rows, releases.isEmpty() ? "no releases" : text.toString());
            return 0;
        }
    }

    /** A logical table with A/B copies, named on the command line. */
    static final class LogicalOption {
        @Option(names = "--logical", required = true, description = "the logical table, whose views readers query")
        String logical;

        @Option(names = "--schema", description = "its schema (PostgreSQL) or database (ClickHouse); default: the connection's")
        String schema;
    }

    @Command(name = "copies", description = "A/B copies of a table: declare, state, catch-up, verify, swap, swap-back.",
            subcommands = {Copies.Declare.class, Copies.State.class, Copies.CatchUp.class, Copies.Check.class,
                    Copies.Swap.class, Copies.SwapBack.class})
    static final class Copies {
        private static Map<String, Object> json(CopyState state) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("logical", state.logical());
            row.put("serving", state.serving());
            row.put("offline", state.offline());
            row.put("epoch", state.epoch());
            row.put("versions", state.served());
            return row;
        }

        @Command(name = "declare", description = "Declares two registered tables as the copies of a logical table, the first serving.")
        static final class Declare implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Option(names = "--copy-a", required = true, description = "the copy that serves first")
            String copyA;

            @Option(names = "--copy-b", required = true, description = "the other copy")
            String copyB;

            @Override
            public Integer call() throws Exception {
                CopyState state = TableCopies.of(connection.evolution()).declare(logical.schema, logical.logical, copyA, copyB);
                print(connection, json(state), "declared " + state);
                return 0;
            }
        }

        @Command(name = "state", description = "Which copy serves, and the versions of the logical table.")
        static final class State implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Override
            public Integer call() throws Exception {
                CopyState state = TableCopies.of(connection.evolution()).state(logical.schema, logical.logical)
                        .orElseThrow(() -> new SchemaEvolutionException(ErrorCode.NOT_REGISTERED, logical.logical, null,
                                "no copies are declared for it", null));
                print(connection, json(state), state.toString());
                return 0;
            }
        }

        @Command(name = "catch-up", description = "Brings the offline copy up to date from the serving one, by key ranges, resumable.")
        static final class CatchUp implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Option(names = "--run-id", required = true, description = "names the run: the same id resumes it")
            String runId;

            @Mixin Ranges ranges;

            @Override
            public Integer call() throws Exception {
                SchemaEvolution evolution = connection.evolution();
                ChunkRunner runner = ChunkRunner.builder(DriverDataSource.of(connection.url, connection.user, connection.password),
                        evolution.dialect()).parallelism(ranges.parallelism).build();
                RunReport report = TableCopies.of(evolution).catchUp(logical.schema, logical.logical, runId, ranges.key, ranges.rowsPerChunk,
                        runner);
                print(connection, runJson(report), "catch-up " + runId + ": " + report.outcome() + ", " + report.chunksDone() + " chunks done, "
                        + report.chunksSkipped() + " skipped, " + report.rows() + " rows");
                return report.outcome() == RunReport.Outcome.COMPLETED ? 0 : INCOMPLETE;
            }
        }

        @Command(name = "verify", description = "Compares the two copies by per-chunk checksums; exit code 2 when they differ.")
        static final class Check implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Option(names = "--key", description = "the integer key of the chunks; without it, the whole table is one chunk")
            String key;

            @Option(names = "--width", defaultValue = "1000000", description = "keys per chunk (default: ${DEFAULT-VALUE})")
            long width;

            @Override
            public Integer call() throws Exception {
                Checksums.Chunking chunking = key == null ? new Checksums.Whole() : new Checksums.KeyRanges(key, width);
                Checksums.Comparison comparison = TableCopies.of(connection.evolution()).verify(logical.schema, logical.logical, chunking);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("same", comparison.same());
                row.put("schemaDifferences", comparison.schemaDifferences());
                row.put("chunks", comparison.differences().stream().map(Checksums.Difference::toString).toList());
                print(connection, row, comparison.toString());
                return comparison.same() ? 0 : DRIFT;
            }
        }

        @Command(name = "swap", description = "Points the logical views at the offline copy; --dry-run shows the statements.")
        static final class Swap implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Option(names = "--dry-run", description = "check the swap and print its statements, change nothing")
            boolean dryRun;

            @Override
            public Integer call() throws Exception {
                TableCopies copies = TableCopies.of(connection.evolution());
                if (dryRun) {
                    TableCopies.SwapPlan plan = copies.planSwap(logical.schema, logical.logical);
                    Map<String, Object> row = new LinkedHashMap<>(json(plan.after()));
                    row.put("statements", Main.json(plan.statements()));
                    print(connection, row, plan.toString());
                    return 0;
                }
                CopyState state = copies.swap(logical.schema, logical.logical);
                print(connection, json(state), "swapped: " + state);
                return 0;
            }
        }

        @Command(name = "swap-back", description = "Undoes the last swap, with the same checks.")
        static final class SwapBack implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin LogicalOption logical;

            @Override
            public Integer call() throws Exception {
                CopyState state = TableCopies.of(connection.evolution()).swapBack(logical.schema, logical.logical);
                print(connection, json(state), "swapped back: " + state);
                return 0;
            }
        }
    }

    /** A schema report for --json: whether it is the same or acceptable, and the report itself. */
    private static Map<String, Object> json(io.github.schemaevolution.api.chunk.SchemaReport report) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("same", report.same());
        row.put("acceptable", report.acceptable());
        row.put("report", report);
        return row;
    }

    @Command(name = "chunks-report", description = "The schemas of the chunk tables <prefix>_<n>, as data; exit code 2"
            + " when a difference may not stand (a spare missing on some is allowed).")
    static final class ChunksReport implements Callable<Integer> {
        @Mixin Connection connection;

        @Option(names = "--prefix", required = true, description = "the chunk tables' prefix: <prefix>_<number>")
        String prefix;

        @Override
        public Integer call() throws Exception {
            var report = connection.evolution().dialect().chunks().schemaReport(DriverDataSource.of(connection.url,
                    connection.user, connection.password), prefix);
            print(connection, json(report), report.toString());
            return report.acceptable() ? 0 : DRIFT;
        }
    }

    @Command(name = "hosts-compare", description = "Compares a table's columns across hosts; exit code 2 when a host differs"
            + " or cannot be read.")
    static final class HostsCompare implements Callable<Integer> {
        @Option(names = "--host", required = true, description = "a host as name=JDBC URL; repeat for each host")
        Map<String, String> hosts;

        @Option(names = "--user", defaultValue = "${env:SCHEMA_EVOLUTION_USER}", description = "user (env SCHEMA_EVOLUTION_USER)")
        String user;

        @Option(names = "--password", defaultValue = "${env:SCHEMA_EVOLUTION_PASSWORD}",
                description = "password (env SCHEMA_EVOLUTION_PASSWORD)")
        String password;

        @Option(names = "--json", description = "print JSON for scripts")
        boolean json;

        @Mixin TableOption table;

        @Override
        public Integer call() throws Exception {
            List<io.github.schemaevolution.api.hosts.Host> set = new java.util.ArrayList<>();
            hosts.forEach((name, url) -> set.add(new io.github.schemaevolution.api.hosts.Host(name, DriverDataSource.of(url, user,
                    password))));
            var comparison = io.github.schemaevolution.api.hosts.Hosts.of(set).compare(table.schema, table.table);
            Map<String, Object> row = json(comparison.schemas());
            row.put("same", comparison.same());
            row.put("unreachable", comparison.unreachable());
            System.out.println(json ? JSON.writeValueAsString(row) : comparison.toString());
            return comparison.same() ? 0 : DRIFT;
        }
    }

    @Command(name = "chunked", description = "One logical table over the chunk tables <prefix>_<n>: register, apply, state.",
            subcommands = {Chunked.Register.class, Chunked.ApplyChunked.class, Chunked.StateOf.class})
    static final class Chunked {
        /** The chunked table the command works on, and how its runs go. */
        static final class Target {
            @Option(names = "--prefix", required = true, description = "the logical table: its chunk tables are <prefix>_<number>")
            String prefix;

            @Option(names = "--parallelism", defaultValue = "2", description = "chunk tables at once (default: ${DEFAULT-VALUE})")
            int parallelism;

            @Option(names = "--progress", defaultValue = "auto", description = "the progress bar: auto (on a terminal), always, never")
            String progress;

            ChunkedTable table(Connection connection, ProgressBar bar) {
                SchemaEvolution evolution = connection.evolution();
                ChunkRunner.Builder runner = ChunkRunner.builder(evolution.dataSource(), evolution.dialect()).parallelism(parallelism);
                if (progress.equals("always") || (progress.equals("auto") && System.console() != null && !connection.json)) {
                    runner.listener(bar);
                }
                return ChunkedTable.byPrefix(evolution, prefix).withRunner(runner.build());
            }
        }

        private static Map<String, Object> json(ChunkedTable.Result result) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("outcome", result.outcome().name());
            row.put("version", result.current() == null ? null : result.current().version());
            row.put("targetVersion", result.targetVersion());
            row.put("chunks", result.chunks());
            row.put("chunksAtTarget", result.chunksAtTarget());
            return row;
        }

        private static String text(String what, ChunkedTable.Result result) {
            return what + ": " + result.outcome() + ", " + result.chunksAtTarget() + " of " + result.chunks()
                    + " chunk tables at version " + result.targetVersion() + "; the logical table at version "
                    + (result.current() == null ? "none yet" : result.current().version());
        }

        @Command(name = "register", description = "Registers the chunk tables as version 1 of one logical table, with their views.")
        static final class Register implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin Target target;

            @Option(names = "--spare-prefix", defaultValue = ReservePolicy.DEFAULT_PREFIX,
                    description = "columns starting with it are free spares (default: ${DEFAULT-VALUE})")
            String sparePrefix;

            @Override
            public Integer call() throws Exception {
                ProgressBar bar = new ProgressBar(System.err);
                ChunkedTable.Result result;
                try {
                    result = target.table(connection, bar).register(sparePrefix);
                } finally {
                    bar.finish();
                }
                print(connection, json(result), text("register " + target.prefix, result));
                return result.outcome() == ChunkedTable.Result.Outcome.PENDING ? INCOMPLETE : 0;
            }
        }

        @Command(name = "apply", description = "Applies the migration files of the logical table to its chunk tables, in file"
                + " order; --numbers runs only some chunks (exit code 5 while chunks are left); resumable.")
        static final class ApplyChunked implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin Target target;
            @Mixin Files files;

            @Option(names = "--numbers", description = "only the chunk tables numbered FROM-TO (TO excluded), e.g. 1-334")
            String numbers;

            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() throws Exception {
                ProgressBar bar = new ProgressBar(System.err);
                ChunkedTable chunked = target.table(connection, bar);
                List<Map<String, Object>> results = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                try {
                    for (Migration migration : files.migrations()) {
                        if (!migration.table().equals(target.prefix)) {
                            continue;
                        }
                        ChunkedTable.Result result = numbers == null ? chunked.apply(migration)
                                : chunked.apply(migration, subset(spec, numbers));
                        Map<String, Object> row = json(result);
                        row.put("migration", migration.id());
                        results.add(row);
                        text.append(text(migration.id(), result)).append('\n');
                        if (result.outcome() == ChunkedTable.Result.Outcome.PENDING) {
                            break;
                        }
                    }
                } finally {
                    bar.finish();
                }
                print(connection, Map.of("applied", results), results.isEmpty() ? "no migration files of " + target.prefix
                        : text.toString().stripTrailing());
                return results.stream().anyMatch(r -> "PENDING".equals(r.get("outcome"))) ? INCOMPLETE : 0;
            }

            private static java.util.function.Predicate<io.github.schemaevolution.api.chunk.Chunk> subset(
                    picocli.CommandLine.Model.CommandSpec spec, String numbers) {
                String[] bounds = numbers.split("-", 2);
                if (bounds.length != 2 || !bounds[0].matches("[0-9]+") || !bounds[1].matches("[0-9]+")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--numbers takes FROM-TO, two chunk numbers: got " + numbers);
                }
                return ChunkedTable.numbered(Long.parseLong(bounds[0]), Long.parseLong(bounds[1]));
            }
        }

        @Command(name = "state", description = "The logical table's version and the migration under way on its chunk tables.")
        static final class StateOf implements Callable<Integer> {
            @Mixin Connection connection;
            @Mixin Target target;

            @Override
            public Integer call() throws Exception {
                ChunkedTable.State state = target.table(connection, new ProgressBar(System.err)).state();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("version", state.current().map(io.github.schemaevolution.api.evolution.SchemaVersion::version).orElse(null));
                state.pending().ifPresent(pending -> row.put("pending", Map.of("migration", pending.migrationId(),
                        "version", pending.version(), "chunks", pending.chunks(), "chunksDone", pending.chunksDone())));
                print(connection, row, target.prefix + " at version " + row.get("version") + state.pending()
                        .map(p -> "; " + p.migrationId() + " (version " + p.version() + ") on " + p.chunksDone() + " of "
                                + p.chunks() + " chunk tables").orElse(""));
                return state.pending().isPresent() ? INCOMPLETE : 0;
            }
        }
    }
}
