package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Checksums;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.copies.CopyState;
import io.github.schemaevolution.api.copies.TableCopies;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A/B copies on a real engine: readers of the logical views through swaps and a swap back (no
 * error, every result from one copy), refusals that change nothing, a new version brought in by a
 * swap, a catch-up killed with SIGKILL in a child JVM and resumed, and checksums that name the chunk
 * of one changed row. Each copy's rows carry its marker ({@code a} or {@code b}), so a result read
 * from both copies shows two markers.
 */
public abstract class CopiesContract {
    private static final int READERS = 4;
    private static final int ROWS = 200;

    /** The engine to test: a fresh schema or database per test, the data source's current one. */
    protected abstract DataSource dataSource();

    /** The name of the data source's current schema (PostgreSQL) or database (ClickHouse), to name it explicitly. */
    protected abstract String schemaName();

    /** Starts {@link CopiesProcess} in a child JVM with {@code args}, its data source reaching the same database. */
    protected abstract ChildJvm startCopiesProcess(String... args) throws IOException;

    private SchemaEvolution evolution() {
        return SchemaEvolution.connect(dataSource());
    }

    private TableCopies copies() {
        return TableCopies.of(evolution());
    }

    private static Table model(String name) {
        return Table.builder(name)
                .column("id", ColumnType.INT64)
                .column("marker", ColumnType.STRING)
                .column("value", ColumnType.INT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    /** Creates {@code logical}_a and {@code logical}_b, with {@code rowsA} and {@code rowsB} rows marked a and b. */
    private void createCopies(String logical, int rowsA, int rowsB) throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model(logical + "_a"));
        evolution.create(model(logical + "_b"));
        insert(logical + "_a", "a", 1, rowsA);
        insert(logical + "_b", "b", 1, rowsB);
    }

    private void insert(String table, String marker, long firstId, int rows) throws SQLException {
        if (rows == 0) {
            return;
        }
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (id, marker, value) VALUES (?, ?, ?)")) {
            for (long id = firstId; id < firstId + rows; id++) {
                insert.setLong(1, id);
                insert.setString(2, marker);
                insert.setLong(3, id * 10);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void execute(String... statements) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The markers a query of {@code view} read, and its row count: {@code a 200}, or {@code a,b ...} for a mix. */
    private String read(String view) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT min(marker), max(marker), count(*) FROM " + view)) {
            row.next();
            String min = row.getString(1);
            String max = row.getString(2);
            return (min.equals(max) ? min : min + "," + max) + " " + row.getLong(3);
        }
    }

    private List<String> columnsOf(String view) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT * FROM " + view + " WHERE 1 = 0")) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                names.add(rows.getMetaData().getColumnName(i));
            }
            return names;
        }
    }

    private static void assertRefused(ErrorCode code, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }

    @Test
    void readersOfTheLogicalViewsSeeOneWholeCopyInEveryQueryThroughSwapsAndASwapBack() throws Exception {
        createCopies("cat", ROWS, ROWS);
        TableCopies copies = copies();
        CopyState declared = copies.declare(null, "cat", "cat_a", "cat_b");
        assertThat(declared.serving()).isEqualTo("cat_a");
        assertThat(read("cat_v1")).isEqualTo("a " + ROWS);
        assertThat(read("cat_latest")).isEqualTo("a " + ROWS);

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong queries = new AtomicLong();
        CountDownLatch started = new CountDownLatch(READERS);
        ConcurrentLinkedQueue<String> results = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        List<Future<?>> running = new ArrayList<>();
        for (int reader = 0; reader < READERS; reader++) {
            String view = reader % 2 == 0 ? "cat_v1" : "cat_latest";
            running.add(readers.submit(() -> {
                started.countDown();
                while (!done.get()) {
                    try {
                        results.add(read(view));
                    } catch (SQLException | RuntimeException e) {
                        errors.add(e);
                    }
                    queries.incrementAndGet();
                }
            }));
        }
        started.await();
        int swaps = 10;
        CopyState state = declared;
        for (int i = 0; i < swaps; i++) {
            long before = queries.get();
            state = copies.swap(null, "cat");
            // each reader gets queries in under both copies, not all before or after the swaps
            while (queries.get() < before + 2L * READERS && errors.isEmpty()) {
                Thread.onSpinWait();
            }
        }
        assertThat(state.serving()).isEqualTo("cat_a");
        assertThat(state.epoch()).isEqualTo(1 + swaps);
        CopyState back = copies.swapBack(null, "cat");
        done.set(true);
        for (Future<?> reader : running) {
            reader.get();
        }
        readers.shutdown();

        assertThat(errors).as("reader errors during the swaps").isEmpty();
        assertThat(results).as("every result is one whole copy").allMatch(r -> r.equals("a " + ROWS) || r.equals("b " + ROWS));
        assertThat(results).as("readers saw both copies").contains("a " + ROWS, "b " + ROWS);
        assertThat(back.serving()).isEqualTo("cat_b");
        assertThat(copies.state(null, "cat")).contains(back);
        assertThat(read("cat_v1")).isEqualTo("b " + ROWS);
        assertThat(read("cat_latest")).isEqualTo("b " + ROWS);
        // the copies keep their own views
        assertThat(read("cat_a_v1")).isEqualTo("a " + ROWS);
    }

    @Test
    void aSwapBringsInTheOfflineCopysNewVersionAndIsRefusedWhileTheOtherCopyLacksAServedVersion() throws Exception {
        createCopies("obs", 20, 30);
        SchemaEvolution evolution = evolution();
        TableCopies copies = copies();
        copies.declare(null, "obs", "obs_a", "obs_b");
        evolution.apply(Migration.builder("add-score", "obs_b").add("score", ColumnType.nullable(ColumnType.FLOAT64)).build());

        TableCopies.SwapPlan plan = copies.planSwap(null, "obs");
        assertThat(plan.after().served()).isEqualTo(Map.of(1, 1, 2, 2));
        assertThat(columnsOf("obs_latest")).containsExactly("id", "marker", "value");
        CopyState swapped = copies.swap(null, "obs");
        assertThat(swapped.served()).isEqualTo(Map.of(1, 1, 2, 2));
        assertThat(read("obs_v1")).isEqualTo("b 30");
        assertThat(read("obs_v2")).isEqualTo("b 30");
        assertThat(columnsOf("obs_v1")).containsExactly("id", "marker", "value");
        assertThat(columnsOf("obs_v2")).containsExactly("id", "marker", "value", "score");
        assertThat(columnsOf("obs_latest")).containsExactly("id", "marker", "value", "score");

        // obs_a has no version with score: the swap back is refused and the views stay on obs_b
        assertThatThrownBy(() -> copies.swapBack(null, "obs"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("obs_a", "obs_v2", "score");
                });
        assertThat(copies.state(null, "obs")).contains(swapped);
        assertThat(read("obs_v2")).isEqualTo("b 30");

        // once obs_a has the version, the swap back goes through
        evolution.apply(Migration.builder("add-score", "obs_a").add("score", ColumnType.nullable(ColumnType.FLOAT64)).build());
        CopyState back = copies.swapBack(null, "obs");
        assertThat(back.serving()).isEqualTo("obs_a");
        assertThat(read("obs_v1")).isEqualTo("a 20");
        assertThat(read("obs_v2")).isEqualTo("a 20");
        assertThat(read("obs_latest")).isEqualTo("a 20");

        // a logical version retired is dropped, and no longer asked of the other copy
        CopyState retired = copies.retire(null, "obs", 1);
        assertThat(retired.served()).isEqualTo(Map.of(2, 2));
        assertThatThrownBy(() -> read("obs_v1")).isInstanceOf(SQLException.class);
        assertThat(copies.swap(null, "obs").serving()).isEqualTo("obs_b");
        assertThat(read("obs_v2")).isEqualTo("b 30");
    }

    @Test
    void copiesInANamedSchemaDeclareCatchUpVerifyAndSwapWithEveryNameQualified() throws Exception {
        String schema = schemaName();
        SchemaEvolution evolution = evolution();
        evolution.create(model("named_a").toBuilder().schema(schema).build());
        evolution.create(model("named_b").toBuilder().schema(schema).build());
        insert("named_a", "a", 1, 50);
        TableCopies copies = copies();
        CopyState declared = copies.declare(schema, "named", "named_a", "named_b");
        assertThat(copies.state(schema, "named")).contains(declared);
        assertThat(copies.state(null, "named")).as("the record of a schema is read with its name").isEmpty();
        RunReport caughtUp = copies.catchUp(schema, "named", "named-1", "id", 20, ChunkRunner.builder(dataSource(),
                evolution.dialect()).build());
        assertThat(caughtUp.rows()).isEqualTo(50);
        assertThat(copies.verify(schema, "named", new Checksums.KeyRanges("id", 10)).same()).isTrue();
        evolution.apply(Migration.builder("add-score", "named_b").schema(schema).add("score", ColumnType.nullable(ColumnType.FLOAT64)).build());
        assertThat(copies.swap(schema, "named").served()).isEqualTo(Map.of(1, 1, 2, 2));
        assertThat(read("named_v2")).isEqualTo("a 50");
        assertThat(columnsOf("named_latest")).containsExactly("id", "marker", "value", "score");
    }

    @Test
    void aSetOfLogicalTablesSwapsAsOneStepAndOneRefusalLeavesThemAllAsTheyWere() throws Exception {
        createCopies("set1", 10, 20);
        createCopies("set2", 30, 40);
        SchemaEvolution evolution = evolution();
        TableCopies copies = copies();
        copies.declare(null, "set1", "set1_a", "set1_b");
        copies.declare(null, "set2", "set2_a", "set2_b");
        evolution.apply(Migration.builder("add-score", "set2_b").add("score", ColumnType.nullable(ColumnType.FLOAT64)).build());

        List<CopyState> swapped = copies.swapAll(null, List.of("set1", "set2"));
        assertThat(swapped).extracting(CopyState::serving).containsExactly("set1_b", "set2_b");
        assertThat(read("set1_v1")).isEqualTo("b 20");
        assertThat(read("set2_v2")).isEqualTo("b 40");

        // set2_a lacks set2's version 2: neither table moves
        assertRefused(ErrorCode.CHANGE_FORBIDDEN, () -> copies.swapAll(null, List.of("set1", "set2")));
        assertThat(read("set1_v1")).isEqualTo("b 20");
        assertThat(copies.state(null, "set1")).contains(swapped.get(0));
        assertThat(copies.state(null, "set2")).contains(swapped.get(1));

        evolution.apply(Migration.builder("add-score", "set2_a").add("score", ColumnType.nullable(ColumnType.FLOAT64)).build());
        assertThat(copies.swapAll(null, List.of("set2", "set1"))).extracting(CopyState::serving).containsExactly("set2_a", "set1_a");
        assertThat(read("set1_v1")).isEqualTo("a 10");
        assertThat(read("set2_v2")).isEqualTo("a 30");
        assertRefused(ErrorCode.MODEL_INVALID, () -> copies.swapAll(null, List.of("set1", "set1")));
    }

    @Test
    void aDeclarationOrSwapThatCannotBeMadeIsRefusedWithItsCodeAndChangesNothing() throws Exception {
        createCopies("ref", 5, 5);
        TableCopies copies = copies();
        execute("CREATE VIEW taken_v1 AS SELECT id FROM ref_a");
        evolution().create(model("taken_a"));
        evolution().create(model("taken_b"));

        assertRefused(ErrorCode.NAME_TAKEN, () -> copies.declare(null, "taken", "taken_a", "taken_b"));
        assertThat(columnsOf("taken_v1")).as("the foreign view stays as it was").containsExactly("id");
        assertThat(copies.state(null, "taken")).isEmpty();
        assertRefused(ErrorCode.NOT_REGISTERED, () -> copies.declare(null, "ref", "ref_a", "ref_missing"));
        assertRefused(ErrorCode.MODEL_INVALID, () -> copies.declare(null, "ref", "ref_a", "ref_a"));
        assertRefused(ErrorCode.IDENTIFIER_UNSAFE, () -> copies.declare(null, "ref;drop", "ref_a", "ref_b"));
        assertRefused(ErrorCode.NOT_REGISTERED, () -> copies.swap(null, "ref"));
        assertThat(copies.state(null, "ref")).isEmpty();

        CopyState declared = copies.declare(null, "ref", "ref_a", "ref_b");
        assertThat(copies.declare(null, "ref", "ref_a", "ref_b")).as("declared again: the same state").isEqualTo(declared);
        assertRefused(ErrorCode.NAME_TAKEN, () -> copies.declare(null, "ref", "ref_b", "ref_a"));
        assertRefused(ErrorCode.CHANGE_FORBIDDEN, () -> copies.swapBack(null, "ref"));
        assertRefused(ErrorCode.CHANGE_FORBIDDEN, () -> copies.swapWhen(null, "ref", () -> false, java.time.Duration.ofMillis(10),
                java.time.Duration.ofMillis(100)));
        assertThat(copies.state(null, "ref")).contains(declared);
        assertThat(read("ref_v1")).isEqualTo("a 5");
        assertThat(copies.swapWhen(null, "ref", () -> true, java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(100))
                .serving()).isEqualTo("ref_b");

        // a user's table put where a logical view was: the swap refuses and leaves it
        execute("DROP VIEW ref_latest");
        evolution().create(model("ref_latest"));
        assertRefused(ErrorCode.NAME_TAKEN, () -> copies.swap(null, "ref"));
        assertThat(columnsOf("ref_latest")).as("the user's table stays").contains("id", "marker", "value");
    }

    @Test
    void aCatchUpKilledWithSigkillResumesFromItsCheckpointsAndChecksumsNameTheChunkOfOneChangedRow() throws Exception {
        createCopies("cu", 1_000, 0);
        insert("cu_b", "b", 5_000, 10);  // rows only the offline copy has: the catch-up removes them
        TableCopies copies = copies();
        copies.declare(null, "cu", "cu_a", "cu_b");
        Checksums.KeyRanges byHundreds = new Checksums.KeyRanges("id", 100);
        assertThat(copies.verify(null, "cu", byHundreds).same()).isFalse();

        ChildJvm child = startCopiesProcess("cu", "catch-up-1", "id", "100");
        assertThat(child.killWhenItPrints("chunk 3")).as("killed by SIGKILL").isEqualTo(137);
        RunReport resumed = copies.catchUp(null, "cu", "catch-up-1", "id", 100, ChunkRunner.builder(dataSource(),
                evolution().dialect()).build());
        assertThat(resumed.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).as("the chunks checkpointed before the kill").isGreaterThanOrEqualTo(3);
        assertThat(read("cu_b")).isEqualTo("a 1000");
        Checksums.Comparison same = copies.verify(null, "cu", byHundreds);
        assertThat(same.same()).as(same.toString()).isTrue();

        execute("DELETE FROM cu_a WHERE id = 345", "INSERT INTO cu_a (id, marker, value) VALUES (345, 'a', -1)");
        Checksums.Comparison changed = copies.verify(null, "cu", byHundreds);
        assertThat(changed.differences()).hasSize(1);
        assertThat(changed.differences().get(0).chunk()).isEqualTo("id [300, 400)");
        assertThat(copies.catchUp(null, "cu", "catch-up-2", "id", 100, ChunkRunner.builder(dataSource(),
                evolution().dialect()).build()).outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(copies.verify(null, "cu", byHundreds).same()).isTrue();

        // since a watermark: only the rows written after it are copied again (value is the watermark here)
        execute("DELETE FROM cu_a WHERE id = 10", "INSERT INTO cu_a (id, marker, value) VALUES (10, 'a', 999999)",
                "INSERT INTO cu_a (id, marker, value) VALUES (1001, 'a', 1000000)");
        RunReport changedOnly = copies.catchUpChanged(null, "cu", "catch-up-3", "id", 100, "value", 500_000L,
                ChunkRunner.builder(dataSource(), evolution().dialect()).build());
        assertThat(changedOnly.outcome()).isEqualTo(RunReport.Outcome.COMPLETED);
        assertThat(changedOnly.rows()).as("rows copied").isEqualTo(2);
        Checksums.Comparison afterChanges = copies.verify(null, "cu", byHundreds);
        assertThat(afterChanges.same()).as(afterChanges.toString()).isTrue();
        assertThat(copies.swap(null, "cu").serving()).isEqualTo("cu_b");
        assertThat(read("cu_v1")).isEqualTo("a 1001");
    }
}
