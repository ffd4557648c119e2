package io.github.schemaevolution.api.hosts;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.chunk.SchemaReport.ColumnShape;
import io.github.schemaevolution.api.chunk.SchemaSameness;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaDiff;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of hosts (data sources) that hold the same tables: the servers of a sharded service, the
 * workers of a catalog, the replicas of a database that is not replicated by the engine. A change is
 * fanned out over them with bounded parallelism; each host applies it exactly once through its own
 * history, which is also what makes a fan-out resumable: run it again after a host failed and only
 * that host does any work. After the change, each host's table is verified against its version. The
 * schemas of a table across the hosts are compared as data ({@link #compare}), naming the host that
 * differs.
 *
 * <p>Immutable and thread-safe; each call opens the connections it needs and closes them.
 */
public final class Hosts {
    private static final Logger LOG = LoggerFactory.getLogger(Hosts.class);

    private final List<Host> hosts;
    private final int parallelism;
    private final EvolutionSettings settings;

    private Hosts(List<Host> hosts, int parallelism, EvolutionSettings settings) {
        if (hosts.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a host set needs at least one host");
        }
        Set<String> names = new HashSet<>();
        for (Host host : hosts) {
            if (!names.add(host.name())) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "two hosts are named " + host.name()
                        + ": a report could not tell them apart");
            }
        }
        if (parallelism < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a fan-out needs a parallelism of 1 or more, got "
                    + parallelism);
        }
        this.hosts = List.copyOf(hosts);
        this.parallelism = parallelism;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The hosts, changed two at a time, with default settings. */
    public static Hosts of(List<Host> hosts) {
        return new Hosts(hosts, 2, EvolutionSettings.DEFAULT);
    }

    /** As this set, changing at most {@code hosts} hosts at once. */
    public Hosts withParallelism(int hosts) {
        return new Hosts(this.hosts, hosts, settings);
    }

    /** As this set, with {@code newSettings} on every host. */
    public Hosts withSettings(EvolutionSettings newSettings) {
        return new Hosts(hosts, parallelism, newSettings);
    }

    public List<Host> hosts() {
        return hosts;
    }

    /** {@link SchemaEvolution#ensure} of {@code table} on every host, then its verification. */
    public FanOut ensure(Table table) {
        return fanOut("ensure " + table.displayName(), table.schema(), table.name(), (evolution, applied, already) -> {
            boolean existed = evolution.currentVersion(table.schema(), table.name()).isPresent();
            evolution.ensure(table);
            (existed ? already : applied).add("ensure " + table.name());
        });
    }

    /** {@link #apply(List)} of one migration. */
    public FanOut apply(Migration migration) {
        return apply(List.of(migration));
    }

    /**
     * Applies {@code migrations} in order on every host, at most the set's parallelism of hosts at once;
     * a host whose step fails is reported with its error and tries no later step, while the other hosts
     * go on. Each host's tables are verified after. Safe to run again: what a host recorded is skipped.
     */
    public FanOut apply(List<Migration> migrations) {
        if (migrations.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "nothing to fan out: no migrations");
        }
        Migration last = migrations.get(migrations.size() - 1);
        String what = migrations.size() == 1 ? last.id() : migrations.size() + " migrations up to " + last.id();
        return fanOut(what, last.schema(), last.table(), (evolution, applied, already) -> {
            for (Migration migration : migrations) {
                ApplyResult result = evolution.apply(migration);
                (result.outcome() == ApplyResult.Outcome.ALREADY_APPLIED ? already : applied).add(migration.id());
            }
        });
    }

    /**
     * The schemas of {@code table} on every host, compared as data: the columns most hosts have, and each
     * other schema with the hosts that have it and its differences. A host that cannot be read is named
     * in {@link Comparison#unreachable()}. Changes nothing.
     */
    public Comparison compare(String schema, String table) {
        SchemaSameness sameness = new SchemaSameness(table + " on " + hosts.size() + " hosts");
        Map<String, String> unreachable = new LinkedHashMap<>();
        Map<String, List<ColumnShape>> read = inParallel(host -> {
            try (Connection connection = host.dataSource().getConnection()) {
                SchemaEvolution evolution = SchemaEvolution.connect(host.dataSource(), settings);
                List<ColumnShape> columns = new ArrayList<>();
                for (Column column : evolution.dialect().introspector().physicalColumns(connection, schema, table)) {
                    columns.add(new ColumnShape(column.name(), column.type().sql()));
                }
                return columns;
            }
        }, unreachable);
        read.forEach((host, columns) -> {
            if (columns.isEmpty()) {
                unreachable.put(host, "has no table " + table);
            } else {
                sameness.add(host, SchemaSameness.signature(columns));
            }
        });
        return new Comparison(sameness.report(), unreachable);
    }

    /**
     * The schemas of one table across hosts.
     *
     * @param unreachable the hosts that could not be read, or do not have the table, with why
     */
    public record Comparison(SchemaReport schemas, Map<String, String> unreachable) {
        public Comparison {
            unreachable = Map.copyOf(unreachable);
        }

        /** Whether every host was read and has the same columns. */
        public boolean same() {
            return unreachable.isEmpty() && schemas.same();
        }

        @Override
        public String toString() {
            return schemas + (unreachable.isEmpty() ? "" : "\n  not read: " + unreachable);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run(SchemaEvolution evolution, List<String> applied, List<String> alreadyApplied);
    }

    @FunctionalInterface
    private interface Read<T> {
        T read(Host host) throws SQLException;
    }

    private FanOut fanOut(String what, String schema, String table, Step step) {
        AtomicInteger finished = new AtomicInteger();
        LOG.info("fanning out {} over {} hosts, {} at a time", what, hosts.size(), Math.min(parallelism, hosts.size()));
        List<FanOut.HostResult> results = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, FanOut.HostResult> done = inParallel(host -> {
            long start = System.nanoTime();
            List<String> applied = new ArrayList<>();
            List<String> already = new ArrayList<>();
            try {
                SchemaEvolution evolution = SchemaEvolution.connect(host.dataSource(), settings);
                step.run(evolution, applied, already);
                SchemaDiff drift = evolution.verify(schema, table);
                int version = evolution.currentVersion(schema, table).map(SchemaVersion::version).orElse(0);
                FanOut.HostResult result = new FanOut.HostResult(host.name(), FanOut.Status.DONE, applied, already, version,
                        Optional.of(drift), Optional.empty(), Duration.ofNanos(System.nanoTime() - start));
                LOG.info("{}: host {} done ({} of {}){}", what, host.name(), finished.incrementAndGet(), hosts.size(),
                        drift.isEmpty() ? "" : ", drift: " + drift);
                return result;
            } catch (RuntimeException e) {
                LOG.warn("{}: host {} failed ({} of {}): {}", what, host.name(), finished.incrementAndGet(), hosts.size(),
                        e.getMessage());
                return new FanOut.HostResult(host.name(), FanOut.Status.FAILED, applied, already, 0, Optional.empty(),
                        Optional.of(String.valueOf(e.getMessage())), Duration.ofNanos(System.nanoTime() - start));
            }
        }, failures);
        for (Host host : hosts) {
            results.add(done.get(host.name()));
        }
        FanOut fanOut = new FanOut(what, results);
        LOG.info("{}", fanOut);
        return fanOut;
    }

    /** {@code read} on every host, at most the parallelism at once, by host name in host order; failures by name into {@code failed}. */
    private <T> Map<String, T> inParallel(Read<T> read, Map<String, String> failed) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, hosts.size()), runnable -> {
            Thread thread = new Thread(runnable, "schema-evolution-hosts");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Map<String, Future<T>> futures = new LinkedHashMap<>();
            for (Host host : hosts) {
                futures.put(host.name(), pool.submit(() -> read.read(host)));
            }
            Map<String, T> results = new LinkedHashMap<>();
            for (Map.Entry<String, Future<T>> future : futures.entrySet()) {
                try {
                    results.put(future.getKey(), future.getValue().get());
                } catch (ExecutionException e) {
                    failed.put(future.getKey(), String.valueOf(e.getCause().getMessage()));
                }
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, "the fan-out was interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
