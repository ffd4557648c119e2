package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.Checksums;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.copies.CopyState;
import io.github.schemaevolution.api.copies.TableCopies;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The up-to-date catalog's daily cycle on embedded PostgreSQL and embedded ClickHouse: two copies of
 * {@code object}, one serving user queries while the other is brought up to date (caught up from the
 * serving copy, the night's observations ingested, a column added through the spare pool), verified
 * by checksums and swapped in; the next day the other way round. User queries run on other threads
 * throughout, through the logical views {@code object_v<N>} and {@code object_latest}, and never fail.
 *
 * <p>Run it with {@code mvn -B -q -pl examples exec:exec -Dexample=DailyCycleExample} after
 * {@code mvn -B -q install -DskipTests}.
 */
public final class DailyCycleExample {
    private static final int CATALOG_ROWS = 20_000;
    private static final int NIGHT_ROWS = 5_000;

    private final String engine;
    private final DataSource dataSource;
    private final PrintStream out;

    private DailyCycleExample(String engine, DataSource dataSource, PrintStream out) {
        this.engine = engine;
        this.dataSource = dataSource;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            new DailyCycleExample("PostgreSQL", postgres.getPostgresDatabase(), System.out).run();
        }
        try (EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start()) {
            new DailyCycleExample("ClickHouse", clickhouse.dataSource(), System.out).run();
        }
    }

    private static Table model(String name) {
        return Table.builder(name)
                .column("object_id", ColumnType.INT64)
                .column("ra", ColumnType.FLOAT64)
                .column("decl", ColumnType.FLOAT64)
                .column("flux", ColumnType.FLOAT32)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 4).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("object_id").build())
                .postgres(PostgresOptions.primaryKey("object_id"))
                .build();
    }

    private void run() throws Exception {
        out.printf("%n=== %s: the daily cycle of two copies ===%n", engine);
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(model("object_a"));
        evolution.create(model("object_b"));
        ingest(evolution, "object_a", 1, CATALOG_ROWS);
        TableCopies copies = TableCopies.of(evolution);
        CopyState state = copies.declare(null, "object", "object_a", "object_b");
        out.println("declared: " + state);

        Readers readers = new Readers();
        readers.start();
        ChunkRunner runner = ChunkRunner.builder(dataSource, evolution.dialect()).parallelism(2).build();
        Migration addFluxError = Migration.builder("add-flux-err", "object_b")
                .add("flux_err", ColumnType.nullable(ColumnType.FLOAT64)).build();

        // day X: object_a serves; object_b is brought up to date
        int night = 1;
        String offline = state.offline();
        RunReport caughtUp = copies.catchUp(null, "object", "catch-up-night-" + night, "object_id", 2_000, runner);
        out.printf("day %d: %s caught up from %s: %d rows in %d ms%n", night, offline, state.serving(), caughtUp.rows(),
                caughtUp.elapsed().toMillis());
        Checksums.Comparison same = copies.verify(null, "object", new Checksums.KeyRanges("object_id", 5_000));
        out.println("  checksums before the night's ingest: " + same);
        evolution.apply(addFluxError);
        SchemaVersion migrated = evolution.currentVersion(null, offline).orElseThrow();
        out.println("  " + offline + " at version " + migrated.version() + ": flux_err is the spare " + migrated.physicalName("flux_err"));
        ingest(evolution, offline, CATALOG_ROWS + 1, NIGHT_ROWS);
        out.printf("  the night's %d observations entered %s%n", NIGHT_ROWS, offline);
        state = copies.swap(null, "object");
        out.println("  swapped: " + state);
        out.println("  object_latest now shows " + columns("object_latest") + ", " + count("object_latest") + " rows");

        // day X+1: object_b serves; object_a gets the same change, is caught up and swapped in
        night = 2;
        offline = state.offline();
        evolution.apply(Migration.builder("add-flux-err", offline).add("flux_err", ColumnType.nullable(ColumnType.FLOAT64)).build());
        caughtUp = copies.catchUp(null, "object", "catch-up-night-" + night, "object_id", 2_000, runner);
        out.printf("day %d: %s migrated and caught up from %s: %d rows in %d ms%n", night, offline, state.serving(),
                caughtUp.rows(), caughtUp.elapsed().toMillis());
        same = copies.verify(null, "object", new Checksums.KeyRanges("object_id", 5_000));
        out.println("  checksums: " + same);
        if (!same.same()) {
            throw new IllegalStateException("the copies differ after the catch-up: " + same);
        }
        state = copies.swap(null, "object");
        out.println("  swapped: " + state);

        readers.stop();
        out.printf("user queries during both days: %d, errors: %d, row counts seen: %s%n", readers.queries.get(),
                readers.errors.get(), new TreeSet<>(readers.counts));
        if (readers.errors.get() > 0) {
            throw new IllegalStateException("a user query failed during the cycle");
        }
    }

    /** Writes {@code rows} objects through the writer mapping of {@code table}'s current version. */
    private void ingest(SchemaEvolution evolution, String table, long first, int rows) throws SQLException {
        SchemaVersion version = evolution.currentVersion(null, table).orElseThrow();
        List<String> logical = new ArrayList<>();
        List<String> physical = new ArrayList<>();
        for (Column column : version.logicalColumns()) {
            logical.add(column.name());
            physical.add(evolution.dialect().identifiers().quote(Kind.COLUMN, table, version.physicalName(column.name())));
        }
        String sql = "INSERT INTO " + evolution.dialect().identifiers().qualified(null, table) + " (" + String.join(", ", physical)
                + ") VALUES (" + String.join(", ", physical.stream().map(c -> "?").toList()) + ")";
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(sql)) {
            for (long id = first; id < first + rows; id++) {
                for (int i = 0; i < logical.size(); i++) {
                    switch (logical.get(i)) {
                        case "object_id" -> insert.setLong(i + 1, id);
                        case "ra" -> insert.setDouble(i + 1, (id * 0.137) % 360);
                        case "decl" -> insert.setDouble(i + 1, (id * 0.071) % 180 - 90);
                        case "flux" -> insert.setFloat(i + 1, id % 1000 / 10f);
                        default -> insert.setDouble(i + 1, id % 100 / 1000.0);
                    }
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private List<String> columns(String view) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT * FROM " + view + " WHERE 1 = 0")) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                names.add(rows.getMetaData().getColumnName(i));
            }
            return names;
        }
    }

    private long count(String view) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM " + view)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Two user threads querying the logical views in a loop: what a read API does all day. */
    private final class Readers {
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicLong queries = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final Set<Long> counts = ConcurrentHashMap.newKeySet();
        private final List<Thread> threads = new ArrayList<>();

        void start() {
            for (String view : List.of("object_v1", "object_latest")) {
                Thread thread = new Thread(() -> {
                    while (!done.get()) {
                        try {
                            counts.add(count(view));
                        } catch (SQLException e) {
                            errors.incrementAndGet();
                            out.println("  user query failed: " + e.getMessage());
                        }
                        queries.incrementAndGet();
                    }
                }, "user-" + view);
                thread.start();
                threads.add(thread);
            }
        }

        void stop() throws InterruptedException {
            done.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }
}
