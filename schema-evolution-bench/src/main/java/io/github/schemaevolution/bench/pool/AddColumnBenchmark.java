package io.github.schemaevolution.bench.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.bench.Baseline;
import io.github.schemaevolution.bench.Engines;
import io.github.schemaevolution.testkit.StatementCounter;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.nullable;

/**
 * Adding one column to a table of {@code width} columns at version {@code version}, through the reserve
 * pool ({@code poolAdd}: a whole {@code apply}: migration lock, history, catalog, the spare's rename or
 * alias, the views of the new version, the history write) against the engine's own nullable
 * {@code ALTER TABLE ... ADD COLUMN} ({@code nativeAdd}, the baseline). Each measured invocation gets
 * a fresh table, made and brought to its version by {@code version - 1} adds before it (not timed).
 * Both go through the same connection pool (HikariCP, two connections), as a service's would, and
 * through a {@link StatementCounter}: after the run each trial prints the statements of its last pool
 * add and the bytes of history its new version took.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class AddColumnBenchmark {

    @Param({"postgresql", "clickhouse"})
    public String engine;

    /** Columns of the table, its key included. */
    @Param({"10", "1296"})
    public int width;

    /** The table's version when the measured add runs. */
    @Param({"1", "50"})
    public int version;

    private Engines.Running running;
    private HikariDataSource pool;
    private StatementCounter counter;
    private SchemaEvolution evolution;
    private Table table;
    private int tables;
    /** What the last pool add of the trial sent, to print when the trial ends; none in a trial of the baseline. */
    private String report;

    @Setup(Level.Trial)
    public void start() {
        running = Engines.start(engine);
        HikariConfig config = new HikariConfig();
        config.setDataSource(running.dataSource());
        config.setMaximumPoolSize(2);
        config.setPoolName("bench");
        pool = new HikariDataSource(config);
        counter = StatementCounter.wrap(pool);
        evolution = SchemaEvolution.connect(counter);
    }

    /** A fresh table of {@code width} columns, brought to {@code version} through the pool. */
    @Setup(Level.Invocation)
    public void freshTable() {
        String name = "bench_add_" + (++tables);
        Table.Builder builder = Table.builder(name).column("id", INT64);
        for (int i = 2; i <= width; i++) {
            builder.column("c" + i, i % 3 == 0 ? STRING : i % 3 == 1 ? INT64 : nullable(FLOAT64));
        }
        table = builder.reserve(ReservePolicy.builder().spares(FLOAT64, version + 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id")).build();
        evolution.create(table);
        for (int v = 2; v <= version; v++) {
            evolution.apply(Migration.builder("add-" + v, name).add("m" + v, FLOAT64.orNullable()).build());
        }
        counter.reset();
    }

    /** Notes what the pool add sent; the table stays (its views depend on it), the next invocation makes another. */
    @TearDown(Level.Invocation)
    public void count(BenchmarkParams params) throws SQLException {
        if (params.getBenchmark().endsWith("poolAdd")) {
            report = String.format("%s width=%d version=%d: %d statements per pool add, %d bytes of history for the new"
                    + " version (%d for the one before)", engine, width, version, counter.statements(),
                    historyBytes(version + 1), historyBytes(version));
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (report != null) {
            System.out.println();
            System.out.println("[statements] " + report);
        }
        pool.close();
        running.close();
    }

    @Benchmark
    public ApplyResult poolAdd() {
        return evolution.apply(Migration.builder("latecomer", table.name()).add("latecomer", FLOAT64.orNullable()).build());
    }

    @Benchmark
    @Baseline
    public boolean nativeAdd() throws SQLException {
        String sql = evolution.dialect().addColumn(table, Column.of("latecomer", nullable(FLOAT64))).sql();
        try (Connection connection = counter.getConnection(); Statement statement = connection.createStatement()) {
            return statement.execute(sql);
        }
    }

    private long historyBytes(int at) throws SQLException {
        String history = evolution.settings().historyTable();
        try (Connection connection = pool.getConnection(); java.sql.PreparedStatement select = connection.prepareStatement(
                "SELECT max(length(state)) FROM " + history + " WHERE table_name = ? AND version = ?")) {
            select.setString(1, table.name());
            select.setInt(2, at);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : -1;
            }
        }
    }
}
