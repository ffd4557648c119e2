package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.Checksums;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.ChangePolicy;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Release;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.evolution.SchemaDiff;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.testkit.fixtures.Fastpath;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every dialect must do with the reserve pool and versioned views, asserted on a real engine.
 * A dialect module runs it by extending this class in an {@code *IT} and providing the data source
 * (and the DDL of a table made outside the library); each test uses a table of its own.
 *
 * <p>The assertions speak of what readers and writers see (views, history, pool counts, physical
 * column counts), never of how an engine does it, so the same contract holds for PostgreSQL's
 * catalog renames and ClickHouse's view-only names.
 */
public abstract class EvolutionContract {

    /** The engine to test: a fresh schema per test, or at least a database where table names are free. */
    protected abstract DataSource dataSource();

    /** DDL, in the engine's own words, of a {@code fastpath} table named {@code table} made outside the library. */
    protected abstract String foreignFastpathDdl(String table);

    /** DDL, in the engine's own words, of a plain user table named {@code table} with columns {@code id} (integer) and {@code note} (text). */
    protected abstract String userTableDdl(String table);

    /**
     * Starts a child JVM that runs {@link SchemaEvolution#backfill} of {@code column} in {@code table} over
     * key ranges of {@link #BACKFILL_CHUNK} ids of column {@code id}, one chunk at a time with a pause
     * between chunks, printing {@code chunk <n>} after each, for the test to kill with SIGKILL.
     */
    protected abstract io.github.schemaevolution.testkit.process.ChildJvm startBackfill(String table, String column)
            throws java.io.IOException;

    /** Key ranges of {@code rowsPerChunk} over column {@code id} of {@code table}, as the dialect module cuts them. */
    protected abstract io.github.schemaevolution.api.chunk.ChunkSource keyRanges(String table, long rowsPerChunk);

    /** Rows per chunk of the backfill runs. */
    protected static final long BACKFILL_CHUNK = 10_000;

    /** The schema or database the tables go to; {@code null} for the connection's current one. */
    protected String schema() {
        return null;
    }

    private SchemaEvolution evolution() {
        return SchemaEvolution.connect(dataSource());
    }

    /** A small table: an id key, three columns, and a pool of 2 x Float64, 1 x Int32, 1 x String. */
    protected Table model(String name) {
        return Table.builder(name).schema(schema())
                .column("id", INT64)
                .column("name", STRING)
                .column("reading", FLOAT32)
                .column("cc", lowCardinality(STRING))
                .reserve(ReservePolicy.builder().spares(FLOAT64, 2).spares(INT32, 1).spares(STRING, 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    private Migration.Builder migration(String id, String table) {
        return Migration.builder(id, table).schema(schema());
    }

    /** The most a pool add may send, {@code apply} to return, on this engine: see {@link #aPoolAddSendsAFewStatements}. */
    protected abstract int poolAddStatementBudget();

    /**
     * A pool add is bookkeeping around a rename or a view: it reads the history and the catalog once,
     * writes the history once and replaces the views that change, so that its cost stays near a native
     * {@code ADD COLUMN} whatever the width of the table and the number of its versions.
     */
    @Test
    void aPoolAddSendsAFewStatements() {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_budget"));
        for (int version = 2; version <= 3; version++) {
            evolution.apply(migration("budget-" + version, "c_budget").add("m" + version, FLOAT64.orNullable()).build());
        }
        io.github.schemaevolution.testkit.StatementCounter counter = io.github.schemaevolution.testkit.StatementCounter.wrap(dataSource());
        SchemaEvolution counted = SchemaEvolution.connect(counter, evolution.dialect(), evolution.settings());
        counted.apply(migration("budget-4", "c_budget").add("latecomer", INT32.orNullable()).build());
        assertThat(counter.statements()).as("statements of one pool add:\n%s", String.join("\n", counter.log()))
                .isLessThanOrEqualTo(poolAddStatementBudget());
        assertThat(counter.connections()).isEqualTo(1);
        counter.reset();
        // what every instance sends at every start for every migration: the lock, the history, the end of the lock
        counted.apply(migration("budget-4", "c_budget").add("latecomer", INT32.orNullable()).build());
        assertThat(counter.statements()).as("statements of an apply already done:\n%s", String.join("\n", counter.log()))
                .isLessThanOrEqualTo(3);
    }

    @Test
    void createRegistersVersionOneWithItsViews() throws SQLException {
        SchemaEvolution evolution = evolution();
        SchemaVersion first = evolution.create(model("c_create"));
        assertThat(first.version()).isEqualTo(1);
        insertRows("c_create", 3);
        assertThat(count("c_create_v1")).isEqualTo(3);
        assertThat(count("c_create_latest")).isEqualTo(3);
        assertThat(viewColumns("c_create_v1")).containsExactly("id", "name", "reading", "cc");
        assertThat(evolution.history(schema(), "c_create")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(HistoryEntry.Status.APPLIED));
        assertThat(evolution.pool(schema(), "c_create").free(FLOAT64.orNullable())).isEqualTo(2);
    }

    @Test
    void aViewNameTakenByAUserTableIsRefusedAndTheTableAndItsRowsStay() throws SQLException {
        SchemaEvolution evolution = evolution();
        for (String taken : List.of("c_taken_v1", "c_taken_latest")) {
            userTable(taken);
            refused(() -> evolution.create(model("c_taken")), ErrorCode.NAME_TAKEN);
            assertThat(physicalColumns("c_taken")).as("the table was not created").isZero();
            assertThat(count(taken)).as("the user's rows are intact").isEqualTo(3);
            assertThat(evolution.history(schema(), "c_taken")).isEmpty();
            execute("DROP TABLE " + qualified(taken));
        }

        evolution.create(model("c_next"));
        userTable("c_next_v2");
        Migration add = migration("add-dns", "c_next").add("dns_ms", nullable(FLOAT64)).build();
        refused(() -> evolution.apply(add), ErrorCode.NAME_TAKEN);
        assertThat(count("c_next_v2")).isEqualTo(3);
        assertThat(viewColumns("c_next_v2")).containsExactly("id", "note");
        assertThat(evolution.currentVersion(schema(), "c_next")).get().extracting(SchemaVersion::version).isEqualTo(1);
        assertThat(evolution.history(schema(), "c_next")).hasSize(1);
        assertThat(evolution.verify(schema(), "c_next").isEmpty()).isTrue();
        assertThat(evolution.pool(schema(), "c_next").free(FLOAT64.orNullable())).isEqualTo(2);

        execute("DROP TABLE " + qualified("c_next_v2"));
        assertThat(evolution.apply(add).version().version()).as("the same migration, once the name is free").isEqualTo(2);
    }

    /**
     * A plan that makes views only records nothing before it runs on an engine without transactions,
     * and takes a view under its new version's name for its own when the library's mark says it made it
     * for this table. A user's view there, without that mark, is refused like a user's table, and stays.
     */
    @Test
    void aUsersViewNamedLikeTheNextVersionsViewIsRefusedAndStays() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_uview"));
        execute("CREATE VIEW " + qualified("c_uview_v2") + " AS SELECT id, name FROM " + qualified("c_uview"));
        Migration add = migration("add-dns", "c_uview").add("dns_ms", nullable(FLOAT64)).build();

        refused(() -> evolution.apply(add), ErrorCode.NAME_TAKEN);
        assertThat(viewColumns("c_uview_v2")).as("the user's view is as it was").containsExactly("id", "name");
        assertThat(evolution.history(schema(), "c_uview")).hasSize(1);
        assertThat(viewColumns("c_uview_latest")).doesNotContain("dns_ms");

        execute("DROP VIEW " + qualified("c_uview_v2"));
        assertThat(evolution.apply(add).version().version()).as("the same migration, once the name is free").isEqualTo(2);
    }

    @Test
    void ensureCreatesAdoptsOrReturnsTheCurrentVersion() throws SQLException {
        SchemaEvolution evolution = evolution();
        SchemaVersion created = evolution.ensure(model("c_ensure"));
        assertThat(created.version()).isEqualTo(1);
        assertThat(evolution.ensure(model("c_ensure"))).as("the same call again").isEqualTo(created);
        SchemaVersion moved = evolution.apply(migration("add", "c_ensure").add("speed", nullable(FLOAT64)).build()).version();
        assertThat(evolution.ensure(model("c_ensure"))).as("the version the migrations made").isEqualTo(moved);

        execute(foreignFastpathDdl(qualified("c_ensure_foreign")));
        SchemaVersion adopted = evolution.ensure(model("c_ensure_foreign"));
        assertThat(adopted.version()).isEqualTo(1);
        assertThat(evolution.history(schema(), "c_ensure_foreign")).hasSize(1);
    }

    @Test
    void aUserTableInPlaceOfALiveViewStopsARetirementAndOneNamedLikeARetiredViewIsLeftAlone() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_own"));
        evolution.apply(migration("add", "c_own").add("speed", nullable(FLOAT64)).build());
        evolution.apply(migration("drop", "c_own").drop("speed").build());
        execute("DROP VIEW " + qualified("c_own_v1"));
        userTable("c_own_v1");
        refused(() -> evolution.retire(schema(), "c_own", 2), ErrorCode.NAME_TAKEN);
        assertThat(count("c_own_v1")).as("the user's table and its rows stay").isEqualTo(3);
        assertThat(evolution.currentVersion(schema(), "c_own")).get().extracting(SchemaVersion::version).isEqualTo(3);

        execute("DROP TABLE " + qualified("c_own_v1"));
        evolution.retire(schema(), "c_own", 2);
        userTable("c_own_v2");
        SchemaVersion next = evolution.apply(migration("add-more", "c_own").add("accel", nullable(FLOAT64)).build()).version();
        assertThat(next.version()).as("a retired version's name is no longer the library's").isEqualTo(5);
        assertThat(count("c_own_v2")).isEqualTo(3);
        assertThat(viewColumns("c_own_v2")).containsExactly("id", "note");
    }

    @Test
    void aTableWhoseDerivedNamesTheEngineCannotHoldIsRefusedBeforeAnyStatement() throws SQLException {
        String name = "c_" + "l".repeat(dialect().identifiers().maxBytes() - 3);
        refused(() -> evolution().create(model(name)), ErrorCode.IDENTIFIER_TOO_LONG);
        assertThat(physicalColumns(name)).isZero();
    }

    private void userTable(String name) throws SQLException {
        execute(userTableDdl(qualified(name)));
        execute("INSERT INTO " + qualified(name) + " (id, note) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    }

    @Test
    void addBringsASpareIntoUseWithoutChangingTheTableShape() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_add"));
        insertRows("c_add", 4);
        int physicalBefore = physicalColumns("c_add");

        ApplyResult result = evolution.apply(migration("add-speed", "c_add").add("speed", nullable(FLOAT64)).build());

        assertThat(result.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(result.version().version()).isEqualTo(2);
        assertThat(physicalColumns("c_add")).isEqualTo(physicalBefore);
        assertThat(evolution.pool(schema(), "c_add").free(FLOAT64.orNullable())).isEqualTo(1);
        setValue("c_add", result.version().physicalName("speed"), 1, 12.5);
        assertThat(values("c_add_v2", "speed")).containsExactly(null, 12.5, null, null);
        assertThat(viewColumns("c_add_v1")).containsExactly("id", "name", "reading", "cc");
        assertThat(viewColumns("c_add_v2")).containsExactly("id", "name", "reading", "cc", "speed");
        assertThat(viewColumns("c_add_latest")).containsExactly("id", "name", "reading", "cc", "speed");
        assertThat(count("c_add_v1")).isEqualTo(4);
        assertThat(evolution.verify(schema(), "c_add").isEmpty()).isTrue();
    }

    @Test
    void aDroppedColumnIsKeptForOlderVersionsUntilTheyRetireAndItsSpareNeverShowsUnderTheOldName() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_drop"));
        insertRows("c_drop", 3);
        int physicalBefore = physicalColumns("c_drop");
        SchemaVersion v2 = evolution.apply(migration("add-speed", "c_drop").add("speed", nullable(FLOAT64)).build()).version();
        String speedSlot = v2.requireColumn("speed").slot();
        setValue("c_drop", v2.physicalName("speed"), 0, 1.5);
        setValue("c_drop", v2.physicalName("speed"), 2, 2.5);

        SchemaVersion v3 = evolution.apply(migration("drop-speed", "c_drop").drop("speed").build()).version();
        assertThat(v3.column("speed")).isEmpty();
        assertThat(viewColumns("c_drop_v3")).containsExactly("id", "name", "reading", "cc");
        assertThat(values("c_drop_v2", "speed")).as("readers of version 2 keep their column").containsExactly(1.5, null, 2.5);
        SchemaVersion v4 = evolution.apply(migration("add-accel", "c_drop").add("accel", nullable(FLOAT64)).build()).version();
        assertThat(v4.requireColumn("accel").slot()).as("a dropped column's spare is kept while version 2 lives")
                .isNotEqualTo(speedSlot);

        SchemaVersion v5 = evolution.retire(schema(), "c_drop", 3).version();
        assertThat(viewExists("c_drop_v2")).isFalse();
        assertThat(viewExists("c_drop_v4")).isTrue();
        assertThat(v5.pool().free(FLOAT64.orNullable())).isEqualTo(1);
        SchemaVersion v6 = evolution.apply(migration("add-jerk", "c_drop").add("jerk", nullable(FLOAT64)).build()).version();
        assertThat(v6.requireColumn("jerk").slot()).as("the spare comes back once its versions are retired").isEqualTo(speedSlot);
        assertThat(values("c_drop_v6", "jerk")).containsExactly(null, null, null);
        setValue("c_drop", v6.physicalName("jerk"), 1, 9.75);
        assertThat(values("c_drop_v6", "jerk")).containsExactly(null, 9.75, null);
        assertThat(physicalColumns("c_drop")).isEqualTo(physicalBefore);
        assertThat(evolution.verify(schema(), "c_drop").isEmpty()).isTrue();
    }

    @Test
    void aDroppedOriginalColumnReturnsToThePoolWhenItsVersionsRetire() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_drop_orig"));
        insertRows("c_drop_orig", 2);
        int physicalBefore = physicalColumns("c_drop_orig");
        SchemaVersion v2 = evolution.apply(migration("drop-name", "c_drop_orig").drop("name").build()).version();
        assertThat(viewColumns("c_drop_orig_v2")).containsExactly("id", "reading", "cc");
        assertThat(values("c_drop_orig_v1", "name")).containsExactly("name-0", "name-1");
        // the dropped column is String: a non-Nullable spare once cleared where nullability is stored, a Nullable one elsewhere
        assertThat(v2.pool().free(STRING.orNullable())).isEqualTo(1);
        assertThat(v2.pool().retained(STRING) + v2.pool().retained(STRING.orNullable())).isEqualTo(1);
        refused(() -> evolution.retire(schema(), "c_drop_orig", 2), ErrorCode.CHANGE_FORBIDDEN);

        ApplyResult retired = evolution.retire(schema(), "c_drop_orig", 1);
        assertThat(retired.version().pool().free(STRING) + retired.version().pool().free(STRING.orNullable())).isEqualTo(2);
        assertThat(retired.version().pool().retained(STRING) + retired.version().pool().retained(STRING.orNullable())).isZero();
        assertThat(viewExists("c_drop_orig_v1")).isFalse();
        assertThat(evolution.history(schema(), "c_drop_orig")).last()
                .satisfies(e -> assertThat(e.migrationId()).isEqualTo("retire-up-to-1"));
        assertThat(evolution.retire(schema(), "c_drop_orig", 1).outcome()).isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
        assertThat(physicalColumns("c_drop_orig")).isEqualTo(physicalBefore);
        assertThat(evolution.verify(schema(), "c_drop_orig").isEmpty()).isTrue();
    }

    @Test
    void aWriterPinnedToAnOldVersionKeepsWritingAndNothingItWritesShowsUnderAnotherName() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_pinned"));
        SchemaVersion pinned = evolution.apply(migration("add-speed", "c_pinned").add("speed", nullable(FLOAT64)).build()).version();
        write(pinned, 1, 1.5);
        evolution.apply(migration("drop-speed", "c_pinned").drop("speed").build());
        write(pinned, 2, 2.5);
        SchemaVersion v4 = evolution.apply(migration("add-accel", "c_pinned").add("accel", nullable(FLOAT64)).build()).version();
        write(pinned, 3, 3.5);
        SchemaVersion v5 = evolution.apply(migration("rename-name", "c_pinned").rename("name", "label").build()).version();
        write(pinned, 4, 4.5);

        assertThat(values("c_pinned_v2", "speed")).as("everything the pinned writer wrote, under its name")
                .containsExactly(1.5, 2.5, 3.5, 4.5);
        assertThat(values("c_pinned_v4", "accel")).as("nothing of it under the new column").containsExactly(null, null, null, null);
        assertThat(v4.physicalName("accel")).isNotEqualTo(pinned.physicalName("speed"));
        assertThat(values("c_pinned_v5", "label")).as("what it wrote before and after the rename, under the new name")
                .containsExactly("n1", "n2", "n3", "n4");
        assertThat(v5.physicalName("label")).isEqualTo(pinned.physicalName("name"));
    }

    @Test
    void namesComeBackAfterARenameOrADropWhileThePhysicalColumnsStay() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_names"));
        insertRows("c_names", 2);
        evolution.apply(migration("rename", "c_names").rename("name", "label").build());
        SchemaVersion back = evolution.apply(migration("rename-back", "c_names").rename("label", "name").build()).version();
        assertThat(back.physicalName("name")).isEqualTo("name");
        evolution.apply(migration("rename-again", "c_names").rename("name", "label").build());
        SchemaVersion added = evolution.apply(migration("add-name", "c_names").add("name", nullable(STRING)).build()).version();
        assertThat(added.physicalName("name")).as("a new column of the old name, in a spare of its own").isNotEqualTo("name");
        assertThat(values("c_names_v5", "label")).containsExactly("name-0", "name-1");
        assertThat(values("c_names_v5", "name")).containsExactly(null, null);

        SchemaVersion dropped = evolution.apply(migration("drop-reading", "c_names").drop("reading").build()).version();
        SchemaVersion readded = evolution.apply(migration("add-reading", "c_names").add("reading", nullable(FLOAT64)).build()).version();
        assertThat(readded.requireColumn("reading").slot()).as("the dropped column's slot is kept for older versions")
                .isNotEqualTo(dropped.slots().stream().filter(slot -> slot.id().equals("reading")).findFirst().orElseThrow().id());
        assertThat(values("c_names_v7", "reading")).containsExactly(null, null);
        assertThat(values("c_names_v5", "reading")).extracting(value -> ((Number) value).doubleValue()).containsExactly(0.5, 1.5);
        refused(() -> evolution.apply(migration("native", "c_names").addOrNative("reading_2", nullable(FLOAT64)).drop("reading")
                .addOrNative("reading", nullable(FLOAT64)).build()), ErrorCode.COLUMN_EXISTS);
        refused(() -> evolution.retire(schema(), "c_names", 0), ErrorCode.MODEL_INVALID);
        evolution.retire(schema(), "c_names", 2);
        refused(() -> evolution.retire(schema(), "c_names", 1), ErrorCode.CHANGE_FORBIDDEN);
        assertThat(evolution.verify(schema(), "c_names").isEmpty()).isTrue();
    }

    @Test
    void theMappingTableTellsAnyLanguageThePhysicalColumnsOfEveryLiveVersion() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_map"));
        SchemaVersion v2 = evolution.apply(migration("add-speed", "c_map").add("speed", nullable(FLOAT64)).build()).version();
        SchemaVersion v3 = evolution.apply(migration("rename-name", "c_map").rename("name", "label").build()).version();
        String mapping = qualified(EvolutionSettings.DEFAULT.historyTable() + "_columns");
        String query = "SELECT version, column_name, physical_name FROM " + mapping + " WHERE table_name = 'c_map'"
                + " ORDER BY version, position";

        List<String> expected = new ArrayList<>();
        for (SchemaVersion version : List.of(evolution.history(schema(), "c_map").get(0).state(), v2, v3)) {
            version.columns().forEach(c -> expected.add(version.version() + " " + c.name() + " " + version.physicalName(c.name())));
        }
        assertThat(rows(query)).isEqualTo(expected);
        assertThat(rows("SELECT max(version) FROM " + mapping + " WHERE table_name = 'c_map'"))
                .as("a writer's one query to learn that a newer version exists").containsExactly("3");
        assertThat(rows("SELECT DISTINCT state FROM " + mapping + " WHERE table_name = 'c_map'")).containsExactly("in use");

        evolution.apply(migration("drop-speed", "c_map").drop("speed").build());
        assertThat(rows("SELECT version, state FROM " + mapping + " WHERE table_name = 'c_map' AND column_name = 'speed'"
                + " ORDER BY version")).as("the dropped column, kept for the versions that map it")
                .containsExactly("2 retained", "3 retained");
        evolution.retire(schema(), "c_map", 2);
        assertThat(rows(query)).as("retired versions leave the mapping")
                .allSatisfy(row -> assertThat(row).matches("[345] .*")).isNotEmpty();
    }

    /** The rows of {@code sql}, each as its columns joined by spaces. */
    private List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement(sql);
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                List<String> fields = new ArrayList<>();
                for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                    fields.add(row.getString(i));
                }
                rows.add(String.join(" ", fields));
            }
        }
        return rows;
    }

    /** What a writer pinned to {@code version} inserts, through the version's {@link SchemaVersion#writer() mapping}. */
    private void write(SchemaVersion version, long id, double speed) throws SQLException {
        io.github.schemaevolution.api.evolution.WriterMapping writer = version.writer();
        assertThat(writer.logical()).containsExactly("id", "name", "reading", "cc", "speed");
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement(writer.insertSql(dialect()))) {
            insert.setLong(1, id);
            insert.setString(2, "n" + id);
            insert.setFloat(3, 0.5f);
            insert.setString(4, "C");
            insert.setDouble(5, speed);
            insert.executeUpdate();
        }
    }

    /**
     * A non-Nullable column with a default and a MATERIALIZED one come through spares: writers of the new
     * version leave them out and get the default; the rows that exist read what the plan's notes say.
     */
    @Test
    void defaultsAndNonNullableColumnsComeThroughTheirSpares() throws SQLException {
        SchemaEvolution evolution = evolution();
        Table table = model("c_defaults").toBuilder().reserve(ReservePolicy.builder().spares(FLOAT64, 2).spares(INT32, 1)
                .spares(STRING, 1).notNullSpares(STRING, 1).spares(DATETIME, 1).build()).build();
        evolution.create(table);
        insertRows("c_defaults", 2);
        int physical = physicalColumns("c_defaults");
        Plan plan = evolution.plan(migration("status", "c_defaults").add("status", STRING, ColumnDefault.literal("new"))
                .add("seen_at", DATETIME.orNullable(), ColumnDefault.now().materialized()).build());
        assertThat(plan.notes()).hasSize(2);
        assertThat(plan.notes().get(0)).contains("status", "the default new");
        SchemaVersion v2 = evolution.apply(plan.migration()).version();
        assertThat(physicalColumns("c_defaults")).as("spares, no native add").isEqualTo(physical);
        assertThat(v2.requireColumn("status").type()).isEqualTo(STRING);
        assertThat(v2.writer().logical()).as("MATERIALIZED columns are the engine's to write")
                .containsExactly("id", "name", "reading", "cc", "status");

        insertRows("c_defaults", 2, 5); // writers of version 1 and of version 2 leaving the columns out
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement(v2.writer().insertSql(dialect()))) {
            insert.setLong(1, 7);
            insert.setString(2, "n7");
            insert.setFloat(3, 0.5f);
            insert.setString(4, "C");
            insert.setString(5, "done");
            insert.executeUpdate();
        }
        assertThat(values("c_defaults_v2", "status")).containsExactly("new", "new", "new", "new", "new", "done");
        List<Object> seen = values("c_defaults_v2", "seen_at");
        assertThat(seen.subList(2, 6)).as("rows written since read the insert time").doesNotContainNull();
        boolean oldRowsNull = plan.notes().get(1).contains("read NULL");
        assertThat(seen.subList(0, 2)).as(plan.notes().get(1)).allMatch(value -> (value == null) == oldRowsNull);
        assertThat(viewColumns("c_defaults_v1")).containsExactly("id", "name", "reading", "cc");

        // back to the pool: the default goes with the column, so the spare reads empty again
        evolution.apply(migration("drop", "c_defaults").drop("status").build());
        evolution.apply(migration("retire", "c_defaults").retire(2).build());
        io.github.schemaevolution.api.evolution.PoolStatus pool = evolution.pool(schema(), "c_defaults");
        assertThat(pool.free(STRING) + pool.free(STRING.orNullable())).as(pool.toString()).isEqualTo(2);
        assertThat(evolution.verify(schema(), "c_defaults").isEmpty()).isTrue();
    }

    /** An ALIAS column stores nothing: added natively without a spare, left out by writers, dropped when its versions retire. */
    @Test
    void anAliasColumnIsComputedOnReadAndDroppedWhenItsVersionsRetire() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_alias"));
        insertRows("c_alias", 2);
        int physical = physicalColumns("c_alias");
        ApplyResult added = evolution.apply(migration("lower", "c_alias")
                .add("name_upper", STRING.orNullable(), ColumnDefault.expression("upper(name)").alias()).build());
        assertThat(added.plan().notes()).singleElement().asString().contains("never stored");
        assertThat(values("c_alias_v2", "name_upper")).containsExactly("NAME-0", "NAME-1");
        assertThat(added.version().writer().logical()).doesNotContain("name_upper");
        assertThat(evolution.pool(schema(), "c_alias").free(FLOAT64.orNullable())).as("no spare taken").isEqualTo(2);
        evolution.apply(migration("drop", "c_alias").drop("name_upper").build());
        evolution.retire(schema(), "c_alias", 2);
        assertThat(physicalColumns("c_alias")).isEqualTo(physical);
        assertThat(evolution.verify(schema(), "c_alias").isEmpty()).isTrue();
    }

    /** The 3 a.m. fix: a column added by hand stops every apply until it is absorbed, after review, into a version. */
    @Test
    void aColumnAddedByHandIsAbsorbedIntoANewVersionAndThenUsedNormally() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_absorb"));
        insertRows("c_absorb", 2);
        execute("ALTER TABLE " + qualified("c_absorb") + " ADD COLUMN " + column("c_absorb", "hotfix") + " "
                + dialect().typeSql(FLOAT64.orNullable()));
        setValue("c_absorb", "hotfix", 1, 2.5);
        refused(() -> evolution.apply(migration("add-speed", "c_absorb").add("speed", FLOAT64.orNullable()).build()),
                ErrorCode.SCHEMA_DRIFT);

        Migration absorb = evolution.absorbing(schema(), "c_absorb").orElseThrow();
        assertThat(absorb.describe()).isEqualTo("absorb hotfix Nullable(Float64)");
        Plan plan = evolution.plan(absorb);
        assertThat(plan.notes()).singleElement().asString().contains("hotfix", "no DDL");
        SchemaVersion v2 = evolution.apply(absorb).version();
        assertThat(values("c_absorb_v2", "hotfix")).containsExactly(null, 2.5);
        assertThat(viewColumns("c_absorb_v1")).doesNotContain("hotfix");
        assertThat(evolution.verify(schema(), "c_absorb").isEmpty()).isTrue();
        assertThat(evolution.absorbing(schema(), "c_absorb")).isEmpty();

        SchemaVersion v3 = evolution.apply(migration("add-speed", "c_absorb").add("speed", FLOAT64.orNullable())
                .rename("hotfix", "dns_ms").build()).version();
        assertThat(values("c_absorb_v3", "dns_ms")).containsExactly(null, 2.5);
        assertThat(v3.physicalName("dns_ms")).isEqualTo(v2.physicalName("hotfix"));
    }

    /** The seed's {@code ADD COLUMN IF NOT EXISTS} habit: a migration adding a column someone made by hand, same type, records it. */
    @Test
    void anAddOfAColumnMadeByHandWithItsTypeRecordsIt() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_habit"));
        insertRows("c_habit", 2);
        execute("ALTER TABLE " + qualified("c_habit") + " ADD COLUMN " + column("c_habit", "probe_asn") + " "
                + dialect().typeSql(INT64.orNullable()));
        setValue("c_habit", "probe_asn", 0, 3320);
        refused(() -> evolution.apply(migration("asn", "c_habit").addOrNative("probe_asn", INT32.orNullable()).build()),
                ErrorCode.SCHEMA_DRIFT);
        int physical = physicalColumns("c_habit");
        ApplyResult added = evolution.apply(migration("asn", "c_habit").addOrNative("probe_asn", INT64.orNullable()).build());
        assertThat(added.plan().notes()).singleElement().asString().contains("made outside the library");
        assertThat(physicalColumns("c_habit")).isEqualTo(physical);
        assertThat(values("c_habit_v2", "probe_asn")).extracting(v -> v == null ? null : ((Number) v).longValue())
                .containsExactly(3320L, null);
        assertThat(evolution.verify(schema(), "c_habit").isEmpty()).isTrue();
    }

    /**
     * A retype in phases, integer to string, over 100,000 rows: the backfill is killed with SIGKILL and
     * resumed, writers of both versions insert meanwhile, and readers of both versions see their values,
     * in their types, throughout.
     */
    @Test
    void aRetypeInPhasesSurvivesAKilledBackfillWithOldAndNewReadersRightThroughout() throws Exception {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_retype").toBuilder().column("flag", INT32).build());
        boolean clickHouse = dialect().name().equals("clickhouse");
        int rows = 100_000;
        execute(clickHouse
                ? "INSERT INTO " + qualified("c_retype") + " (id, name, reading, cc, flag) SELECT number, 'n', 0.5, 'C',"
                        + " toInt32(number % 7) FROM numbers(" + rows + ")"
                : "INSERT INTO " + qualified("c_retype") + " (id, name, reading, cc, flag) SELECT g, 'n', 0.5, 'C', g % 7"
                        + " FROM generate_series(0, " + (rows - 1) + ") g");
        String toText = clickHouse ? "toString({old})" : "{old}::text";
        refused(() -> evolution.apply(migration("flag-text", "c_retype").retype("flag", FLOAT32, toText).build()),
                ErrorCode.CHANGE_FORBIDDEN);
        Plan plan = evolution.plan(migration("flag-text", "c_retype").retype("flag", STRING.orNullable(), toText).build());
        assertThat(plan.notes()).singleElement().asString().contains("flag", "backfill");
        SchemaVersion v2 = evolution.apply(plan.migration()).version();
        assertThat(v2.retypes()).singleElement().extracting(SchemaVersion.Retype::phase).isEqualTo(SchemaVersion.Retype.Phase.BACKFILL);
        assertRetypedReads(rows);
        refused(() -> evolution.retire(schema(), "c_retype", 1), ErrorCode.CHANGE_FORBIDDEN);

        io.github.schemaevolution.testkit.process.ChildJvm child = startBackfill("c_retype", "flag");
        assertThat(child.killWhenItPrints("chunk 3")).as("killed by SIGKILL").isEqualTo(137);
        assertRetypedReads(rows);

        // writers of both versions go on: version 1 writes the integer, version 2 the string
        execute("INSERT INTO " + qualified("c_retype") + " (id, name, reading, cc, flag) VALUES (" + rows + ", 'old', 0.5, 'C', 5)");
        io.github.schemaevolution.api.evolution.WriterMapping writer = v2.writer();
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement(writer.insertSql(dialect()))) {
            insert.setLong(1, rows + 1);
            insert.setString(2, "new");
            insert.setFloat(3, 0.5f);
            insert.setString(4, "C");
            insert.setString(5, "seven");
            insert.executeUpdate();
        }
        io.github.schemaevolution.api.chunk.RunReport resumed = evolution.backfill(schema(), "c_retype", "flag",
                keyRanges("c_retype", BACKFILL_CHUNK));
        assertThat(resumed.outcome()).isEqualTo(io.github.schemaevolution.api.chunk.RunReport.Outcome.COMPLETED);
        assertThat(resumed.chunksSkipped()).as("the chunks done before the kill").isGreaterThanOrEqualTo(3);
        assertRetypedReads(rows);
        List<Object> newest = values("c_retype_v2", "flag");
        assertThat(newest.subList(rows, rows + 2)).containsExactly("5", "seven");
        Object oldReaderOfNewRow = values("c_retype_v1", "flag").get(rows + 1);
        assertThat(oldReaderOfNewRow).as("a row written at version 2 has no integer flag").satisfiesAnyOf(
                value -> assertThat(value).isNull(), value -> assertThat(((Number) value).intValue()).isZero());
        assertThat(evolution.currentVersion(schema(), "c_retype").orElseThrow().retypes()).singleElement()
                .extracting(SchemaVersion.Retype::phase).isEqualTo(SchemaVersion.Retype.Phase.CONTRACT);

        // the contract: version 1 retires, its integer column returns to the pool
        SchemaVersion v3 = evolution.retire(schema(), "c_retype", 1).version();
        assertThat(v3.retypes()).isEmpty();
        assertThat(values("c_retype_v2", "flag").subList(0, 8)).containsExactly("0", "1", "2", "3", "4", "5", "6", "0");
        assertThat(values("c_retype_v2", "flag").subList(rows, rows + 2)).containsExactly("5", "seven");
        assertThat(evolution.verify(schema(), "c_retype").isEmpty()).isTrue();
    }

    /** Every original row reads its integer at version 1 and its text at version 2. */
    private void assertRetypedReads(int rows) throws SQLException {
        List<Object> old = values("c_retype_v1", "flag");
        List<Object> now = values("c_retype_v2", "flag");
        for (int i = 0; i < rows; i++) {
            assertThat(((Number) old.get(i)).intValue()).as("version 1, row %d", i).isEqualTo(i % 7);
            assertThat(now.get(i)).as("version 2, row %d", i).isEqualTo(Integer.toString(i % 7));
        }
    }

    @Test
    void renameShowsTheNewNameAndOldReadersKeepTheOld() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_rename"));
        insertRows("c_rename", 2);
        SchemaVersion v2 = evolution.apply(migration("rename", "c_rename").rename("name", "label").build()).version();
        assertThat(viewColumns("c_rename_v2")).containsExactly("id", "label", "reading", "cc");
        assertThat(values("c_rename_v2", "label")).containsExactly("name-0", "name-1");
        assertThat(values("c_rename_v1", "name")).containsExactly("name-0", "name-1");
        assertThat(v2.column("name")).isEmpty();
    }

    @Test
    void widenKeepsEveryValueAndOldReadersTheirType() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_widen"));
        insertRows("c_widen", 3);
        String narrowType = columnType("c_widen_v1", "reading");
        SchemaVersion v2 = evolution.apply(migration("widen", "c_widen").widen("reading", FLOAT64).build()).version();
        assertThat(v2.requireColumn("reading").type().withoutNullable()).isEqualTo(FLOAT64);
        assertThat(values("c_widen_v2", "reading")).extracting(v -> ((Number) v).doubleValue()).containsExactly(0.5, 1.5, 2.5);
        assertThat(columnType("c_widen_v2", "reading")).isNotEqualTo(narrowType);
        assertThat(values("c_widen_v1", "reading")).extracting(v -> ((Number) v).doubleValue()).containsExactly(0.5, 1.5, 2.5);
        assertThat(columnType("c_widen_v1", "reading")).as("old readers keep the type they had").isEqualTo(narrowType);
        assertThat(evolution.verify(schema(), "c_widen").isEmpty()).isTrue();
    }

    /**
     * A frozen data release: the version it publishes keeps its view and its results; only changes that
     * keep every query's result are accepted after it, and each other one is refused at plan time, with
     * its rule, before anything runs.
     */
    @Test
    void aFrozenReleaseAcceptsOnlyChangesThatKeepQueryResultsAndRefusesTheRestBeforeAnythingRuns() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_release"));
        insertRows("c_release", 3);
        evolution.apply(migration("add-speed", "c_release").add("speed", nullable(FLOAT64)).build());
        ApplyResult published = evolution.publish(schema(), "c_release", "DR1", ChangePolicy.ADDITIVE);
        assertThat(published.version().version()).isEqualTo(3);
        assertThat(evolution.releases(schema(), "c_release")).containsExactly(new Release("DR1", 3, ChangePolicy.ADDITIVE));
        List<String> release = List.of("release DR1 (version 3, policy additive) forbids");
        int entries = evolution.history(schema(), "c_release").size();
        int physical = physicalColumns("c_release");
        String toText = dialect().name().equals("clickhouse") ? "toString({old})" : "{old}::text";

        Map<String, Migration> forbidden = new java.util.LinkedHashMap<>();
        forbidden.put("no-drop", migration("r-drop", "c_release").drop("speed").build());
        forbidden.put("no-rename", migration("r-rename", "c_release").rename("speed", "velocity").build());
        forbidden.put("no-retype", migration("r-retype", "c_release").retype("reading", STRING.orNullable(), toText).build());
        forbidden.put("no-view-change", migration("r-final", "c_release").finalViews(true).build());
        forbidden.put("keep-release-version", migration("r-retire", "c_release").retire(3).build());
        forbidden.put("is published already", migration("r-again", "c_release").publish("DR1", ChangePolicy.ANY).build());
        forbidden.forEach((rule, refused) -> {
            assertThatThrownBy(() -> evolution.plan(refused)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                assertThat(e.getMessage()).contains(rule);
            });
            refused(() -> evolution.apply(refused), ErrorCode.CHANGE_FORBIDDEN);
        });
        assertThatThrownBy(() -> evolution.backfill(schema(), "c_release", "speed", keyRanges("c_release", 10)))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.getMessage()).contains(release.get(0), "no-update"));
        assertThatThrownBy(() -> evolution.apply(forbidden.get("no-drop"))).hasMessageContaining(release.get(0));
        assertThat(evolution.history(schema(), "c_release")).as("nothing recorded").hasSize(entries);
        assertThat(physicalColumns("c_release")).isEqualTo(physical);
        assertThat(viewColumns("c_release_v3")).containsExactly("id", "name", "reading", "cc", "speed");

        // what keeps every result: a new column, a lossless widening, more spares, retiring what is older than the release
        evolution.apply(migration("a-add", "c_release").add("depth", nullable(FLOAT64)).build());
        evolution.apply(migration("a-widen", "c_release").widen("reading", FLOAT64).build());
        evolution.apply(migration("a-refill", "c_release").refill(INT32, 1).build());
        SchemaVersion now = evolution.retire(schema(), "c_release", 2).version();
        assertThat(now.releases()).as("the release is carried by every later version").containsExactly(
                new Release("DR1", 3, ChangePolicy.ADDITIVE));
        assertThat(viewExists("c_release_v2")).isFalse();
        assertThat(viewColumns("c_release_v3")).containsExactly("id", "name", "reading", "cc", "speed");
        assertThat(values("c_release_v3", "reading")).extracting(v -> ((Number) v).doubleValue()).containsExactly(0.5, 1.5, 2.5);
        assertThat(evolution.verify(schema(), "c_release").isEmpty()).isTrue();

        // the same rules for a whole deployment, on a table never published
        SchemaEvolution additive = SchemaEvolution.connect(dataSource(), evolution.dialect(),
                evolution.settings().withPolicy(ChangePolicy.ADDITIVE));
        additive.create(model("c_stage"));
        additive.apply(migration("s-add", "c_stage").add("speed", nullable(FLOAT64)).build());
        assertThatThrownBy(() -> additive.apply(migration("s-drop", "c_stage").drop("speed").build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN))
                .hasMessageContaining("the change policy additive of these settings forbids 'drop speed': rule no-drop");
        assertThat(evolution.apply(migration("s-drop", "c_stage").drop("speed").build()).version().version())
                .as("other settings, other policy").isEqualTo(3);
    }

    /** Two copies compared by checksums computed in the engine: the same rows in any order, one changed row named by its chunk, a column more. */
    @Test
    void checksumsNameTheChunkWhereOneRowDiffersAndTheColumnWhereTheSchemasDo() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_sum_a"));
        evolution.create(model("c_sum_b"));
        insertRows("c_sum_a", 10);
        insertRows("c_sum_b", 5, 10);
        insertRows("c_sum_b", 0, 5);
        Checksums.Chunking byFour = Checksums.Chunking.keyRanges("id", 4);

        Checksums.Comparison same = Checksums.compare(dataSource(), dialect(), schema(), "c_sum_a", "c_sum_b", byFour);
        assertThat(same.same()).as(same.toString()).isTrue();
        assertThat(same.chunks()).isEqualTo(3);
        assertThat(same.rowsA()).isEqualTo(10);
        assertThat(Checksums.of(dataSource(), dialect(), schema(), "c_sum_a", byFour)).containsOnlyKeys("0", "1", "2");

        setValue("c_sum_b", "reading", 6, 99.5);
        Checksums.Comparison one = Checksums.compare(dataSource(), dialect(), schema(), "c_sum_a", "c_sum_b", byFour);
        assertThat(one.same()).isFalse();
        assertThat(one.differences()).singleElement().asString().isEqualTo("id [4, 8): 4 rows in each, with different values");
        assertThat(Checksums.compare(dataSource(), dialect(), schema(), "c_sum_a", "c_sum_b", Checksums.Chunking.whole())
                .differences()).singleElement().asString().isEqualTo("the whole table: 10 rows in each, with different values");
        insertRows("c_sum_a", 10, 13);
        assertThat(Checksums.compare(dataSource(), dialect(), schema(), "c_sum_a", "c_sum_b", byFour).differences())
                .extracting(Object::toString)
                .containsExactly("id [4, 8): 4 rows in each, with different values", "id [8, 12): 4 rows against 2",
                        "id [12, 16): 1 rows against 0");

        evolution.apply(migration("sum-refill", "c_sum_b").refill(INT32, 1).build());
        Checksums.Comparison columns = Checksums.compare(dataSource(), dialect(), schema(), "c_sum_a", "c_sum_b", byFour);
        assertThat(columns.schemaDifferences()).singleElement().asString().startsWith("column 9: none in c_sum_a, ");
        assertThat(columns.toString()).contains("c_sum_a and c_sum_b differ: column 9");
    }

    @Test
    void refillAddsSparesAndAnExhaustedPoolIsRefusedBeforeAnyDdl() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_pool"));
        int physicalBefore = physicalColumns("c_pool");
        refused(() -> evolution.apply(migration("two-strings", "c_pool").add("a", nullable(STRING)).add("b", nullable(STRING)).build()),
                ErrorCode.POOL_EXHAUSTED);
        assertThat(evolution.currentVersion(schema(), "c_pool")).map(SchemaVersion::version).contains(1);
        assertThat(physicalColumns("c_pool")).isEqualTo(physicalBefore);

        SchemaVersion refilled = evolution.apply(migration("refill", "c_pool").refill(STRING, 2).build()).version();
        assertThat(refilled.pool().free(STRING.orNullable())).isEqualTo(3);
        assertThat(physicalColumns("c_pool")).isEqualTo(physicalBefore + 2);
        SchemaVersion added = evolution.apply(migration("two-strings", "c_pool").add("a", nullable(STRING)).add("b", nullable(STRING)).build()).version();
        assertThat(added.pool().free(STRING.orNullable())).isEqualTo(1);
        assertThat(physicalColumns("c_pool")).isEqualTo(physicalBefore + 2);

        SchemaVersion withNative = evolution.apply(migration("native", "c_pool").addOrNative("big", nullable(INT64)).build()).version();
        assertThat(physicalColumns("c_pool")).isEqualTo(physicalBefore + 3);
        assertThat(viewColumns("c_pool_latest")).endsWith("a", "b", "big");
        assertThat(withNative.pool().free(INT64.orNullable())).isZero();
    }

    @Test
    void badChangesAreRefusedAndChangeNothing() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_refuse"));
        int physicalBefore = physicalColumns("c_refuse");
        refused(() -> evolution.apply(migration("m", "c_refuse").add("name", nullable(FLOAT64)).build()), ErrorCode.COLUMN_EXISTS);
        refused(() -> evolution.apply(migration("m", "c_refuse").drop("ghost").build()), ErrorCode.COLUMN_NOT_FOUND);
        refused(() -> evolution.apply(migration("m", "c_refuse").widen("reading", INT32).build()), ErrorCode.CHANGE_FORBIDDEN);
        refused(() -> evolution.apply(migration("m", "c_refuse").drop("id").build()), ErrorCode.CHANGE_FORBIDDEN);
        refused(() -> evolution.apply(migration("m", "c_refuse").add("bad-name", FLOAT64).build()), ErrorCode.IDENTIFIER_UNSAFE);
        refused(() -> evolution.apply(migration("m", "c_refuse").add("select", nullable(FLOAT64)).build()), ErrorCode.IDENTIFIER_RESERVED);
        refused(() -> evolution.apply(migration("m", "c_nope").add("x", nullable(FLOAT64)).build()), ErrorCode.NOT_REGISTERED);
        assertThat(evolution.history(schema(), "c_refuse")).hasSize(1);
        assertThat(physicalColumns("c_refuse")).isEqualTo(physicalBefore);
    }

    @Test
    void planIsADryRun() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_plan"));
        Plan plan = evolution.plan(migration("m", "c_plan").add("speed", nullable(FLOAT64)).drop("name").build());
        assertThat(plan.from().version()).isEqualTo(1);
        assertThat(plan.to().version()).isEqualTo(2);
        assertThat(plan.sql()).contains("c_plan_v2");
        assertThat(evolution.currentVersion(schema(), "c_plan")).map(SchemaVersion::version).contains(1);
        assertThat(viewExists("c_plan_v2")).isFalse();
    }

    @Test
    void reRunningIsANoOpAndChangedContentFailsItsChecksum() {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_rerun"));
        Migration migration = migration("add-speed", "c_rerun").add("speed", nullable(FLOAT64)).build();
        assertThat(evolution.apply(migration).outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        ApplyResult again = evolution.apply(migration);
        assertThat(again.outcome()).isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
        assertThat(again.version().version()).isEqualTo(2);
        assertThatThrownBy(() -> evolution.apply(migration("add-speed", "c_rerun").add("speed", nullable(FLOAT32)).build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
                    assertThat(e.getMessage()).contains("add-speed", "add speed Nullable(Float64)", "add speed Nullable(Float32)");
                });
        assertThat(evolution.history(schema(), "c_rerun")).hasSize(2);
    }

    @Test
    void driftIsDetectedAndRefused() throws SQLException {
        SchemaEvolution evolution = evolution();
        evolution.create(model("c_drift"));
        Dialect dialect = evolution.dialect();
        Table live = model("c_drift");
        execute(dialect.addColumn(live, Column.of("sneaky", nullable(INT32))).sql());
        SchemaDiff diff = evolution.verify(schema(), "c_drift");
        assertThat(diff.isEmpty()).isFalse();
        assertThat(diff.extra()).singleElement().asString().startsWith("sneaky");
        refused(() -> evolution.apply(migration("m", "c_drift").add("speed", nullable(FLOAT64)).build()), ErrorCode.SCHEMA_DRIFT);
        refused(() -> evolution.verifyAtStartup(schema(), "c_drift", true), ErrorCode.SCHEMA_DRIFT);
        assertThat(evolution.verifyAtStartup(schema(), "c_drift", false).extra()).hasSize(1);
        assertThat(evolution.history(schema(), "c_drift")).hasSize(1);
    }

    @Test
    void anExistingTableIsAdoptedOnceAndGetsItsSpares() throws SQLException {
        execute(foreignFastpathDdl("c_adopted"));
        SchemaEvolution evolution = evolution();
        int physicalBefore = physicalColumns("c_adopted");
        SchemaVersion first = evolution.adopt(schema(), "c_adopted", Fastpath.reserve());
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.columns()).hasSize(physicalBefore);
        assertThat(physicalColumns("c_adopted")).isEqualTo(physicalBefore + Fastpath.reserve().totalSpares());
        assertThat(first.pool().free(FLOAT32.orNullable())).isEqualTo(3);
        assertThat(viewColumns("c_adopted_v1")).hasSize(physicalBefore).contains("measurement_uid", "test_helper_type");
        SchemaVersion again = evolution.adopt(schema(), "c_adopted", Fastpath.reserve());
        assertThat(again).isEqualTo(first);
        assertThat(physicalColumns("c_adopted")).isEqualTo(physicalBefore + Fastpath.reserve().totalSpares());
        SchemaVersion v2 = evolution.apply(migration("ratio", "c_adopted").add("tls_ratio", nullable(FLOAT64)).build()).version();
        assertThat(v2.version()).isEqualTo(2);
    }

    @Test
    void concurrentAppliersApplyExactlyOnce() throws Exception {
        evolution().create(model("c_race"));
        int appliers = 4;
        Migration migration = migration("add-speed", "c_race").add("speed", nullable(FLOAT64)).add("tries", nullable(INT32)).build();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(appliers);
        try {
            List<Future<ApplyResult>> results = new ArrayList<>();
            for (int i = 0; i < appliers; i++) {
                SchemaEvolution instance = SchemaEvolution.connect(dataSource(),
                        EvolutionSettings.DEFAULT.withInstanceId("instance-" + i));
                Callable<ApplyResult> apply = () -> {
                    start.await();
                    return instance.apply(migration);
                };
                results.add(pool.submit(apply));
            }
            start.countDown();
            List<ApplyResult.Outcome> outcomes = new ArrayList<>();
            for (Future<ApplyResult> result : results) {
                ApplyResult applied = result.get();
                assertThat(applied.version().version()).isEqualTo(2);
                outcomes.add(applied.outcome());
            }
            assertThat(outcomes).containsOnlyOnce(ApplyResult.Outcome.APPLIED);
            assertThat(outcomes).filteredOn(o -> o == ApplyResult.Outcome.ALREADY_APPLIED).hasSize(appliers - 1);
        } finally {
            pool.shutdownNow();
        }
        List<HistoryEntry> history = evolution().history(schema(), "c_race");
        assertThat(history).filteredOn(e -> e.migrationId().equals("add-speed")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(HistoryEntry.Status.APPLIED));
        assertThat(evolution().pool(schema(), "c_race").free(FLOAT64.orNullable())).isEqualTo(1);
    }

    // ---- helpers: plain JDBC through the dialect's own quoting ----

    private Dialect dialect() {
        return evolution().dialect();
    }

    private String qualified(String name) {
        return dialect().identifiers().qualified(schema(), name);
    }

    private String column(String table, String name) {
        return dialect().identifiers().quote(Kind.COLUMN, table, name);
    }

    /** Rows 0..n-1: id i, name "name-i", reading i + 0.5, cc "C{i%3}". */
    protected void insertRows(String table, int rows) throws SQLException {
        insertRows(table, 0, rows);
    }

    /** Rows {@code from..to-1}, as {@link #insertRows(String, int)} makes them. */
    protected void insertRows(String table, int from, int to) throws SQLException {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + qualified(table) + " ("
                     + column(table, "id") + ", " + column(table, "name") + ", " + column(table, "reading") + ", "
                     + column(table, "cc") + ") VALUES (?, ?, ?, ?)")) {
            for (int i = from; i < to; i++) {
                insert.setLong(1, i);
                insert.setString(2, "name-" + i);
                insert.setFloat(3, i + 0.5f);
                insert.setString(4, "C" + (i % 3));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void setValue(String table, String physicalColumn, long id, double value) throws SQLException {
        execute(dialect().name().equals("clickhouse")
                ? "ALTER TABLE " + qualified(table) + " UPDATE " + column(table, physicalColumn) + " = " + value
                + " WHERE " + column(table, "id") + " = " + id + " SETTINGS mutations_sync = 2"
                : "UPDATE " + qualified(table) + " SET " + column(table, physicalColumn) + " = " + value
                + " WHERE " + column(table, "id") + " = " + id);
    }

    private List<Object> values(String view, String name) throws SQLException {
        List<Object> values = new ArrayList<>();
        try (Connection connection = dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + column(view, name) + " FROM "
                     + qualified(view) + " ORDER BY " + column(view, "id"));
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                values.add(row.getObject(1));
            }
        }
        return values;
    }

    private long count(String view) throws SQLException {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM " + qualified(view));
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private List<String> viewColumns(String view) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT * FROM " + qualified(view) + " WHERE 1 = 0");
             ResultSet row = select.executeQuery()) {
            for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                names.add(row.getMetaData().getColumnName(i));
            }
        }
        return names;
    }

    private String columnType(String view, String name) throws SQLException {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + column(view, name) + " FROM "
                     + qualified(view) + " WHERE 1 = 0");
             ResultSet row = select.executeQuery()) {
            return row.getMetaData().getColumnTypeName(1);
        }
    }

    private boolean viewExists(String view) {
        try {
            viewColumns(view);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private int physicalColumns(String table) throws SQLException {
        try (Connection connection = dataSource().getConnection()) {
            return dialect().introspector().physicalColumns(connection, schema(), table).size();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource().getConnection();
             java.sql.Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void refused(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }
}
