package io.github.schemaevolution.bench.gate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.schemaevolution.api.gate.GatedDataSource;
import io.github.schemaevolution.api.gate.MaintenanceGate;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.bench.Engines;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What an open maintenance gate costs a user query: a point lookup by key, through a HikariCP pool
 * of the engine, bare ({@code direct}, the baseline) and through {@link GatedDataSource} over the same
 * pool ({@code gated}), whose poller reads the gate's state every 100 ms meanwhile. The gate's own
 * cost is far below what a shared 2-core machine resolves in a query's time, so {@code stubDirect}
 * and {@code stubGated} measure it alone: the same calls on a user data source that answers at once
 * (the gate's state still in the engine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class GateBenchmark {
    @Param({"postgresql", "clickhouse"})
    public String engine;

    private Engines.Running running;
    private HikariDataSource pool;
    private GatedDataSource gated;
    private DataSource stub;
    private GatedDataSource stubGated;
    private long key;

    @Setup(Level.Trial)
    public void start() throws SQLException {
        running = Engines.start(engine);
        if (engine.equals("postgresql")) {
            running.execute("CREATE TABLE lookups (id bigint PRIMARY KEY, x double precision)");
            running.execute("INSERT INTO lookups SELECT g, g / 10.0 FROM generate_series(1, 100000) g");
        } else {
            running.execute("CREATE TABLE lookups (id UInt64, x Float64) ENGINE = MergeTree ORDER BY id");
            running.execute("INSERT INTO lookups SELECT number + 1, number / 10 FROM numbers(100000)");
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(running.dataSource());
        config.setMaximumPoolSize(2);
        config.setPoolName("bench");
        pool = new HikariDataSource(config);
        gated = MaintenanceGate.of(pool, "bench").gated(pool, Duration.ofSeconds(30), 64);
        stub = answeringAtOnce();
        stubGated = MaintenanceGate.of(pool, "bench").gated(stub, Duration.ofSeconds(30), 64);
    }

    /** Connections whose prepared statements return one row with 1.0 at once. */
    private static DataSource answeringAtOnce() {
        ResultSet row = stubOf(ResultSet.class, method -> switch (method) {
            case "next" -> true;
            case "getDouble" -> 1.0;
            default -> null;
        });
        PreparedStatement select = stubOf(PreparedStatement.class, method -> method.equals("executeQuery") ? row : null);
        Connection connection = stubOf(Connection.class, method -> method.equals("prepareStatement") ? select : null);
        return stubOf(DataSource.class, method -> method.equals("getConnection") ? connection : null);
    }

    private static <T> T stubOf(Class<T> type, java.util.function.Function<String, Object> answers) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(GateBenchmark.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> answers.apply(method.getName())));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        gated.close();
        stubGated.close();
        pool.close();
        running.close();
    }

    @Benchmark
    @Baseline
    public double direct() throws SQLException {
        return lookup(pool);
    }

    @Benchmark
    public double gated() throws SQLException {
        return lookup(gated);
    }

    @Benchmark
    public double stubDirect() throws SQLException {
        return lookup(stub);
    }

    @Benchmark
    public double stubGated() throws SQLException {
        return lookup(stubGated);
    }

    private double lookup(DataSource dataSource) throws SQLException {
        key = key % 100_000 + 1;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT x FROM lookups WHERE id = ?")) {
            select.setLong(1, key);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getDouble(1);
            }
        }
    }
}
