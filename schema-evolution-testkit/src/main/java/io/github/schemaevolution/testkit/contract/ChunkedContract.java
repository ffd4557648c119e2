package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.SchemaReport;
import io.github.schemaevolution.api.evolution.ChunkedTable;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.PoolStatus;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ChunkedTable}: a thousand chunk tables registered as one logical table with one history and
 * one pool; a migration over them killed with SIGKILL in a child JVM and resumed; a refill of the pool
 * over a third of the chunks and then the rest, with the schema report allowing what differs in between;
 * and the refusals, which leave every chunk as it was.
 */
public abstract class ChunkedContract {
    private static final ColumnType SPARE = ColumnType.nullable(ColumnType.FLOAT64);

    /** The engine to test: a fresh schema or database per test, the data source's current one. */
    protected abstract DataSource dataSource();

    /** Starts {@link ChunkedProcess} with the data source's connection and {@code args}. */
    protected abstract ChildJvm startChunkedProcess(String... args) throws IOException;

    /** The migration of the child process and of the test: a column {@code mag} from the pool. */
    public static Migration addMagnitude(String logical) {
        return Migration.builder("add-mag", logical).add("mag", SPARE).build();
    }

    private static Table chunk(String name) {
        return Table.builder(name).column("id", ColumnType.INT64).column("ra", ColumnType.FLOAT64)
                .column("decl", ColumnType.FLOAT64)
                .reserve(ReservePolicy.builder().spares(SPARE, 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    /** Chunk tables {@code <prefix>_<from>} to {@code <prefix>_<to>}, made by hand as a catalog's loader makes them. */
    private void createChunks(SchemaEvolution evolution, String prefix, int from, int to) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            for (int n = from; n <= to; n++) {
                for (DdlStatement ddl : evolution.dialect().createTable(chunk(prefix + "_" + n))) {
                    statement.execute(ddl.sql());
                }
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Which of the views {@code <prefix>_<n>_v<version>} for n in [1, chunks] exist as views. */
    private long views(SchemaEvolution evolution, String prefix, int chunks, int version) throws SQLException {
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= chunks; n++) {
            names.add(prefix + "_" + n + "_v" + version);
        }
        try (Connection connection = dataSource().getConnection()) {
            Map<String, String> found = evolution.dialect().introspector().relations(connection, null, names);
            return found.values().stream().filter(kind -> kind.toLowerCase(java.util.Locale.ROOT).contains("view")).count();
        }
    }

    private static int free(PoolStatus pool) {
        return pool.families().values().stream().mapToInt(PoolStatus.Family::free).sum();
    }

    private static ChunkRunner runner(SchemaEvolution evolution, DataSource dataSource) {
        return ChunkRunner.builder(dataSource, evolution.dialect()).parallelism(2).build();
    }

    @Test
    void aThousandChunkTablesAreOneLogicalTableWhoseMigrationKilledMidWayResumesAndWhoseRefillGoesAThirdAtATime()
            throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource());
        createChunks(evolution, "obj", 1, 1_000);
        execute("INSERT INTO obj_500 (id, ra, decl) VALUES (1, 10.5, -3.25)");
        ChunkedTable catalog = ChunkedTable.byPrefix(evolution, "obj").withRunner(runner(evolution, dataSource()));

        ChunkedTable.Result registered = catalog.register();
        assertThat(registered.outcome()).isEqualTo(ChunkedTable.Result.Outcome.APPLIED);
        assertThat(registered.chunks()).isEqualTo(1_000);
        assertThat(registered.current().version()).isEqualTo(1);
        assertThat(free(catalog.pool())).as("the spares every chunk table has").isEqualTo(2);
        assertThat(views(evolution, "obj", 1_000, 1)).isEqualTo(1_000);
        assertThat(catalog.register().outcome()).isEqualTo(ChunkedTable.Result.Outcome.ALREADY_APPLIED);

        ChildJvm child = startChunkedProcess("obj", "300");
        assertThat(child.killWhenItPrints("past 300")).as("killed by SIGKILL").isEqualTo(137);
        ChunkedTable.State midway = catalog.state();
        assertThat(midway.current().orElseThrow().version()).as("the logical version waits for every chunk").isEqualTo(1);
        ChunkedTable.Pending pending = midway.pending().orElseThrow();
        assertThat(pending.migrationId()).isEqualTo("add-mag");
        assertThat(pending.version()).isEqualTo(2);
        assertThat(pending.chunks()).isEqualTo(1_000);
        assertThat(pending.chunksDone()).isBetween(300L, 999L);
        assertThat(free(catalog.pool())).isEqualTo(2);
        assertThatThrownBy(() -> catalog.apply(Migration.builder("add-flux", "obj").add("flux", SPARE).build()))
                .as("one change at a time").isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN))
                .hasMessageContaining("add-mag");
        assertThatThrownBy(() -> evolution.apply(addMagnitude("obj")))
                .as("the logical table is changed through ChunkedTable only").isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN));

        ChunkedTable.Result resumed = catalog.apply(addMagnitude("obj"));
        assertThat(resumed.outcome()).isEqualTo(ChunkedTable.Result.Outcome.APPLIED);
        assertThat(resumed.current().version()).isEqualTo(2);
        assertThat(resumed.chunksAtTarget()).isEqualTo(1_000);
        assertThat(resumed.run().chunksSkipped()).as("the chunks checkpointed before the kill").isGreaterThanOrEqualTo(300);
        assertThat(views(evolution, "obj", 1_000, 2)).as("every chunk's view follows the version").isEqualTo(1_000);
        assertThat(count("SELECT count(*) FROM obj_500_v2 WHERE mag IS NULL AND ra = 10.5")).isEqualTo(1);
        assertThat(free(catalog.pool())).isEqualTo(1);
        assertThat(evolution.dialect().chunks().schemaReport(dataSource(), "obj").same()).isTrue();
        assertThat(catalog.apply(addMagnitude("obj")).outcome()).isEqualTo(ChunkedTable.Result.Outcome.ALREADY_APPLIED);

        ChunkedTable.Result third = catalog.refill(SPARE, 2, ChunkedTable.numbered(1, 334));
        assertThat(third.outcome()).isEqualTo(ChunkedTable.Result.Outcome.PENDING);
        assertThat(third.chunksAtTarget()).isEqualTo(333);
        assertThat(free(catalog.pool())).as("spares some chunks lack are not usable").isEqualTo(1);
        SchemaReport between = evolution.dialect().chunks().schemaReport(dataSource(), "obj");
        assertThat(between.same()).isFalse();
        assertThat(between.acceptable()).as("free spares may differ: " + between).isTrue();
        assertThat(between.tablesOff()).isZero();
        assertThat(between.variants()).singleElement().satisfies(variant -> {
            assertThat(variant.tables()).isIn(333L, 667L);
            assertThat(variant.differences()).hasSize(2).allMatch(SchemaReport.Difference::allowed)
                    .allMatch(difference -> difference.column().startsWith(ReservePolicy.DEFAULT_PREFIX));
        });

        ChunkedTable.Result rest = catalog.refill(SPARE, 2, chunk -> true);
        assertThat(rest.outcome()).isEqualTo(ChunkedTable.Result.Outcome.APPLIED);
        assertThat(rest.chunksAtTarget()).isEqualTo(1_000);
        assertThat(rest.run().chunksSkipped()).isEqualTo(333);
        assertThat(free(catalog.pool())).isEqualTo(3);
        assertThat(evolution.dialect().chunks().schemaReport(dataSource(), "obj").same()).isTrue();
        assertThat(catalog.state().pending()).isEmpty();
    }

    @Test
    void refusalsLeaveEveryChunkAsItWasAndAChunkThatFailsIsNamedAndResumedOnceItIsPutRight() throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource());
        assertThatThrownBy(() -> ChunkedTable.byPrefix(evolution, "cat").register())
                .isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND));
        createChunks(evolution, "cat", 1, 12);
        ChunkedTable catalog = ChunkedTable.byPrefix(evolution, "cat").withRunner(runner(evolution, dataSource()));
        assertThatThrownBy(() -> catalog.apply(addMagnitude("cat")))
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.NOT_REGISTERED));
        catalog.register();
        assertThat(catalog.plan(addMagnitude("cat")).sql()).as("a dry run, for the first chunk table").contains("cat_1_v2");
        assertThat(catalog.state().pending()).isEmpty();
        assertThatThrownBy(() -> catalog.apply(addMagnitude("obj")))
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.MODEL_INVALID));

        execute("ALTER TABLE cat_1 ADD COLUMN by_hand " + evolution.dialect().typeSql(SPARE));
        assertThatThrownBy(() -> catalog.apply(addMagnitude("cat")))
                .as("the first chunk drifted: refused before any chunk changes").isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.SCHEMA_DRIFT))
                .hasMessageContaining("by_hand");
        assertThat(catalog.state().pending()).isEmpty();
        assertThat(views(evolution, "cat", 12, 2)).isZero();
        execute("ALTER TABLE cat_1 DROP COLUMN by_hand");

        for (DdlStatement ddl : evolution.dialect().createTable(Table.builder("cat_7_v2").column("id", ColumnType.INT64)
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).build())) {
            execute(ddl.sql());
        }
        execute("INSERT INTO cat_7_v2 (id) VALUES (7)");
        assertThatThrownBy(() -> catalog.apply(addMagnitude("cat")))
                .as("a user's table under a chunk's view name").isInstanceOf(SchemaEvolutionException.class)
                .satisfies(e -> assertThat(((SchemaEvolutionException) e).code()).isEqualTo(ErrorCode.NAME_TAKEN))
                .hasMessageContaining("cat_7");
        assertThat(count("SELECT count(*) FROM cat_7_v2")).as("the user's table stays").isEqualTo(1);
        assertThat(catalog.currentVersion().orElseThrow().version()).isEqualTo(1);
        assertThat(catalog.state().pending().orElseThrow().chunksDone()).isLessThan(12);

        execute("DROP TABLE cat_7_v2");
        ChunkedTable.Result resumed = catalog.apply(addMagnitude("cat"));
        assertThat(resumed.outcome()).isEqualTo(ChunkedTable.Result.Outcome.APPLIED);
        assertThat(views(evolution, "cat", 12, 2)).isEqualTo(12);
        assertThat(evolution.dialect().chunks().schemaReport(dataSource(), "cat").same()).isTrue();
    }
}
