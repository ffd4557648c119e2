package io.github.schemaevolution.bench.hosts;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.hosts.FanOut;
import io.github.schemaevolution.api.hosts.Host;
import io.github.schemaevolution.api.hosts.Hosts;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool add fanned out over three hosts ({@link Hosts#apply}, each host verified after) at
 * {@code parallelism} hosts at once, against the same add on one host ({@link SchemaEvolution#apply}
 * and its verification), the same connection handling. The hosts are three databases of one embedded
 * PostgreSQL, or three embedded ClickHouse nodes (a process each). A fresh table on every host for each
 * invocation (not timed). The goal: at most ceil(3 / parallelism) x 1.2 the one-host time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 15)
public class FanOutBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1", "3"})
    public int parallelism;

    private final List<AutoCloseable> engines = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();
    private int invocation;
    private String table;

    @Setup(Level.Trial)
    public void start() throws Exception {
        if (engine.equals("postgresql")) {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            engines.add(postgres);
            for (String name : List.of("host_a", "host_b", "host_c")) {
                try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE " + name);
                }
                hosts.add(new Host(name, postgres.getDatabase("postgres", name)));
            }
        } else {
            for (String name : List.of("node_a", "node_b", "node_c")) {
                EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
                engines.add(clickhouse);
                hosts.add(new Host(name, clickhouse.dataSource()));
            }
        }
    }

    @Setup(Level.Invocation)
    public void freshTables() {
        table = "m_" + (++invocation);
        for (Host host : hosts) {
            SchemaEvolution.connect(host.dataSource()).create(model(table));
        }
    }

    private static Table model(String name) {
        return Table.builder(name).column("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    private Migration add() {
        return Migration.builder("add-score", table).add("score", ColumnType.nullable(ColumnType.FLOAT64)).build();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        for (AutoCloseable running : engines) {
            running.close();
        }
    }

    @Benchmark
    @Baseline
    public ApplyResult oneHost() {
        DataSource dataSource = hosts.get(0).dataSource();
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        ApplyResult result = evolution.apply(add());
        evolution.verify(null, table);
        evolution.currentVersion(null, table);
        return result;
    }

    @Benchmark
    public FanOut fanOut() {
        FanOut result = Hosts.of(hosts).withParallelism(parallelism).apply(add());
        if (!result.complete()) {
            throw new IllegalStateException(result.toString());
        }
        return result;
    }
}
