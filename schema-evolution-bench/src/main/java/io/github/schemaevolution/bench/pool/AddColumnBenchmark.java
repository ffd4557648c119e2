package io.github.schemaevolution.bench.pool;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
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

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.nullable;

/**
 * Adding a column through the reserve pool against the engine's own ways of adding one, on a
 * table of {@code rows} rows, in the same run:
 * <ul>
 *   <li>{@code poolAdd}: a whole {@code apply} (migration lock, history, plan, rename or alias,
 *       views of the new version, verification) bringing a Float64 spare into use;</li>
 *   <li>{@code nativeAdd}: a bare nullable {@code ALTER TABLE ... ADD COLUMN} (the baseline);</li>
 *   <li>{@code rewriteAdd}: PostgreSQL only, {@code ADD COLUMN ... DEFAULT random()}, which writes every row.</li>
 * </ul>
 * Single-shot: every invocation adds one column, so the number of invocations is fixed and the
 * pool is sized for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 12)
public class AddColumnBenchmark {
    private static final int SPARES = 40;

    @Param({"postgresql", "clickhouse"})
    public String engine;

    @Param({"1000", "1000000"})
    public int rows;

    private Engines.Running running;
    private SchemaEvolution evolution;
    private Table table;
    private int counter;

    @Setup(Level.Trial)
    public void createTable() throws SQLException {
        running = Engines.start(engine);
        evolution = SchemaEvolution.connect(running.dataSource());
        evolution.dropTable(null, "bench_add");
        table = Table.builder("bench_add")
                .column("id", INT64).column("payload", STRING)
                .reserve(ReservePolicy.builder().spares(FLOAT64, SPARES).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
        evolution.create(table);
        running.execute(running.fillSql("bench_add", rows));
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        running.close();
    }

    @Benchmark
    public ApplyResult poolAdd() {
        return evolution.apply(Migration.builder("add-" + (++counter), "bench_add").add("metric_" + counter, FLOAT64.orNullable()).build());
    }

    @Benchmark
    @Baseline
    public String nativeAdd() throws SQLException {
        return execute(evolution.dialect().addColumn(table, Column.of("native_" + (++counter), nullable(FLOAT64))));
    }

    /** The cost of the alternative the pool avoids on PostgreSQL: a volatile default writes every row. */
    @Benchmark
    public String rewriteAdd() throws SQLException {
        if (!engine.equals("postgresql")) {
            return "";
        }
        return execute(evolution.dialect().addColumn(table, Column.of("rewrite_" + (++counter), nullable(FLOAT64))
                .withDefault(ColumnDefault.expression("random()"))));
    }

    private String execute(io.github.schemaevolution.spi.DdlStatement statement) throws SQLException {
        running.execute(statement.sql());
        return statement.sql();
    }
}
