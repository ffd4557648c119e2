package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkOperation;
import io.github.schemaevolution.api.chunk.ChunkRunner;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.api.chunk.Chunks;
import io.github.schemaevolution.api.chunk.RunReport;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.DdlStatement;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One engine's run of the example: plan, create, fill, read back and introspect {@code fastpath},
 * then evolve it through the reserve pool (three adds, a drop, a rename), backfill one of the added
 * columns with the chunked runner, printing every plan, what each version's view shows, and how long
 * each step took.
 */
final class FastpathScenario {
    private static final int BATCH = 1_000;

    private final String engine;
    private final DataSource dataSource;
    private final PrintStream out;

    FastpathScenario(String engine, DataSource dataSource, PrintStream out) {
        this.engine = engine;
        this.dataSource = dataSource;
        this.out = out;
    }

    /** Runs every step; throws if the data or the schema does not read back as written. */
    void run(Table model, int rows) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        Dialect dialect = evolution.dialect();
        out.printf("%n=== %s (dialect %s) ===%n", engine, dialect.name());

        List<DdlStatement> plan = evolution.planCreateTable(model);
        out.printf("plan: %d statement(s), %d user columns + %d spares%n", plan.size(),
                model.columns().size(), model.reserve().totalSpares());
        out.println(plan.get(0).sql());

        long start = System.nanoTime();
        SchemaVersion first = evolution.create(model);
        step("create table and register it as version " + first.version(), start);

        GeneratedRows generator = new GeneratedRows(model);
        start = System.nanoTime();
        insert(dialect, model, generator, rows);
        step("insert " + rows + " rows", start);

        start = System.nanoTime();
        int checked = readBack(dialect, model, generator, rows);
        step("read back and compare " + checked + " rows", start);

        start = System.nanoTime();
        Table live = evolution.readTable(model.schema(), model.name(), ReservePolicy.DEFAULT_PREFIX).orElseThrow();
        boolean equal = live.equals(dialect.canonical(model));
        step("introspect: reads back equal to the model = " + equal, start);
        if (!equal) {
            throw new IllegalStateException(engine + ": introspected table differs from the model:\n" + live);
        }
        evolve(evolution, model, rows);
    }

    /** Adds three columns through the pool, drops one, renames one; every step is a new version with its view. */
    private void evolve(SchemaEvolution evolution, Table model, int rows) throws SQLException {
        out.printf("%npool before: %s%n", evolution.pool(model.schema(), model.name()));
        List<Migration> migrations = List.of(
                Migration.builder("2026-11-01-timings", model.name()).schema(model.schema())
                        .add("dns_time_ms", ColumnType.FLOAT64.orNullable()).add("tls_time_ms", ColumnType.FLOAT64.orNullable())
                        .add("retries", ColumnType.INT32.orNullable()).build(),
                Migration.builder("2026-11-02-drop-scores", model.name()).schema(model.schema()).drop("scores").build(),
                Migration.builder("2026-11-03-rename-retries", model.name()).schema(model.schema())
                        .rename("retries", "connect_retries").build());
        for (Migration migration : migrations) {
            Plan plan = evolution.plan(migration);
            out.printf("%n-- %s: version %d -> %d, cost %s%n%s%n", migration.id(), plan.from().version(),
                    plan.to().version(), plan.cost(), plan.sql());
            long start = System.nanoTime();
            ApplyResult result = evolution.apply(migration);
            step("apply " + migration.id() + " (" + result.outcome() + ")", start);
        }
        SchemaVersion latest = evolution.currentVersion(model.schema(), model.name()).orElseThrow();
        out.printf("pool after: %s%n", latest.pool());
        out.printf("writers put connect_retries into physical column %s%n", latest.physicalName("connect_retries"));
        long start = System.nanoTime();
        ApplyResult again = evolution.apply(migrations.get(0));
        step("re-apply " + migrations.get(0).id() + " (" + again.outcome() + ")", start);
        for (int version = 1; version <= latest.version(); version++) {
            String view = evolution.settings().views().viewName(model.name(), version);
            out.printf("view %-14s %d rows, columns: %s%n", view, count(evolution.dialect(), model, view),
                    columnsOf(evolution.dialect(), model, view));
        }
        if (count(evolution.dialect(), model, evolution.settings().views().viewName(model.name(), 1)) != rows) {
            throw new IllegalStateException(engine + ": the version 1 view lost rows");
        }
        backfill(evolution, model, latest, rows);
        // every instance has moved past version 2: its views go, and the dropped scores column returns to the pool
        start = System.nanoTime();
        ApplyResult retired = evolution.retire(model.schema(), model.name(), 2);
        step("retire versions 1 and 2 (" + retired.outcome() + ")", start);
        out.printf("pool after retiring: %s%n", retired.version().pool());
    }

    /**
     * Fills the new column dns_time_ms from page_len with the chunked runner: a plan first, then the
     * run, checkpointed so that running it again (or after a crash) does no work twice. ClickHouse's
     * chunks are the table's partitions; this PostgreSQL table has no integer key to cut into ranges,
     * so it is one chunk of its own.
     */
    private void backfill(SchemaEvolution evolution, Table model, SchemaVersion latest, int rows) throws SQLException {
        String column = latest.physicalName("dns_time_ms");
        boolean postgres = evolution.dialect().name().equals("postgresql");
        ChunkSource chunks = postgres ? connection -> Stream.of(new Chunk.ChunkTable(model.name(), rows))
                : evolution.dialect().chunks().partitions(model.name());
        ChunkOperation fill = evolution.dialect().chunks().fill(column, "page_len * 0.5", Chunks.Options.DEFAULT.onlyWhereNull());
        ChunkRunner runner = ChunkRunner.builder(dataSource, evolution.dialect()).build();
        out.printf("%n-- backfill dns_time_ms (physical column %s)%n%s%n", column, runner.plan("2026-11-04-dns-time", chunks, fill));
        long start = System.nanoTime();
        RunReport report = runner.run("2026-11-04-dns-time", chunks, fill);
        step("backfill: " + report.outcome() + ", " + report.chunksDone() + " chunk(s), " + report.rows() + " rows", start);
        start = System.nanoTime();
        RunReport again = runner.run("2026-11-04-dns-time", chunks, fill);
        step("backfill again: " + again.chunksSkipped() + " chunk(s) already done, skipped", start);
        String latestView = evolution.settings().views().viewName(model.name(), latest.version());
        long filled = countWhere(evolution.dialect(), model, latestView, "dns_time_ms = page_len * 0.5");
        out.printf("view %s: %d of %d rows have dns_time_ms%n", latestView, filled, rows);
        if (report.outcome() != RunReport.Outcome.COMPLETED || filled != rows) {
            throw new IllegalStateException(engine + ": the backfill left " + (rows - filled) + " rows without a value");
        }
    }

    private long countWhere(Dialect dialect, Table model, String view, String predicate) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM "
                     + dialect.identifiers().qualified(model.schema(), view) + " WHERE " + predicate);
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private long count(Dialect dialect, Table model, String view) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM "
                     + dialect.identifiers().qualified(model.schema(), view));
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private String columnsOf(Dialect dialect, Table model, String view) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT * FROM "
                     + dialect.identifiers().qualified(model.schema(), view) + " LIMIT 1");
             ResultSet row = select.executeQuery()) {
            List<String> names = new java.util.ArrayList<>();
            for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                names.add(row.getMetaData().getColumnName(i));
            }
            int total = names.size();
            return total + ", the last four: " + String.join(", ", names.subList(Math.max(0, total - 4), total));
        }
    }

    private void insert(Dialect dialect, Table model, GeneratedRows generator, int rows) throws SQLException {
        List<Column> columns = generator.columns();
        String sql = "INSERT INTO " + dialect.identifiers().qualified(model.schema(), model.name()) + " ("
                + columns.stream().map(c -> dialect.identifiers().quote(Kind.COLUMN, model.name(), c.name()))
                .collect(Collectors.joining(", "))
                + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(sql)) {
            for (int i = 0; i < rows; i++) {
                Object[] values = generator.row(i);
                for (int c = 0; c < values.length; c++) {
                    insert.setObject(c + 1, values[c]);
                }
                insert.addBatch();
                if ((i + 1) % BATCH == 0 || i == rows - 1) {
                    insert.executeBatch();
                }
            }
        }
    }

    private int readBack(Dialect dialect, Table model, GeneratedRows generator, int rows) throws SQLException {
        List<Column> columns = generator.columns();
        String sql = "SELECT " + columns.stream()
                .map(c -> dialect.identifiers().quote(Kind.COLUMN, model.name(), c.name()))
                .collect(Collectors.joining(", "))
                + " FROM " + dialect.identifiers().qualified(model.schema(), model.name())
                + " ORDER BY " + dialect.identifiers().quote(Kind.COLUMN, model.name(), "measurement_uid");
        int index = 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql);
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                Object[] expected = generator.row(index);
                for (int c = 0; c < expected.length; c++) {
                    Object actual = read(row, c + 1, columns.get(c).type());
                    if (!expected[c].equals(actual)) {
                        throw new IllegalStateException(engine + ": row " + index + " column " + columns.get(c).name()
                                + " reads back " + actual + ", wrote " + expected[c]);
                    }
                }
                index++;
            }
        }
        if (index != rows) {
            throw new IllegalStateException(engine + ": read " + index + " rows, wrote " + rows);
        }
        return index;
    }

    private static Object read(ResultSet row, int index, ColumnType type) throws SQLException {
        ColumnType base = type.withoutNullable();
        if (base == ColumnType.INT8) {
            return row.getByte(index);
        }
        if (base == ColumnType.INT32) {
            return row.getInt(index);
        }
        if (base == ColumnType.INT64) {
            return row.getLong(index);
        }
        if (base == ColumnType.FLOAT32) {
            return row.getFloat(index);
        }
        if (base == ColumnType.FLOAT64) {
            return row.getDouble(index);
        }
        if (base == ColumnType.DATETIME || base instanceof ColumnType.DateTime64) {
            return row.getObject(index, LocalDateTime.class);
        }
        return row.getString(index);
    }

    private void step(String what, long startNanos) {
        out.printf("%-60s %8.1f ms%n", what, (System.nanoTime() - startNanos) / 1e6);
    }
}
