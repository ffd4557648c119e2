package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Plan;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.UINT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ClickHouse has no transactions: what happens to a migration cut off half-way, and to a held lock. */
@ClickHouseTest
class ClickHouseMigrationRecoveryIT {

    private static Table table(String name) {
        return Table.builder(name).column("id", UINT64).column("name", STRING).column("ratio", FLOAT64)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 2).spares(STRING, 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).build();
    }

    @Test
    void aMigrationInterruptedAfterItsFirstStatementIsCompletedByTheNextApply(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("cut"));
        Migration migration = Migration.builder("refill-and-drop", "cut").refill(FLOAT64, 2).drop("name").build();
        Plan plan = evolution.plan(migration);
        // what a process that died after its first statement leaves: a STARTED entry and part of the DDL
        HistoryStore history = evolution.dialect().history(EvolutionSettings.DEFAULT.historyTable());
        try (Connection connection = dataSource.getConnection()) {
            history.record(connection, null, new HistoryEntry("cut", plan.to().version(), migration.id(), migration.describe(),
                    migration.checksum(), HistoryEntry.Status.STARTED, Instant.now(), null, "crashed-instance", plan.to()));
            connection.createStatement().execute(plan.statements().get(0).sql());
        }
        assertThat(evolution.verify(null, "cut").isEmpty()).as("half-applied").isFalse();

        ApplyResult resumed = evolution.apply(migration);

        assertThat(resumed.outcome()).isEqualTo(ApplyResult.Outcome.RESUMED);
        assertThat(resumed.version()).isEqualTo(plan.to());
        assertThat(evolution.verify(null, "cut").isEmpty()).isTrue();
        assertThat(evolution.history(null, "cut")).last().satisfies(e -> {
            assertThat(e.status()).isEqualTo(HistoryEntry.Status.APPLIED);
            assertThat(e.migrationId()).isEqualTo("refill-and-drop");
        });
        assertThat(evolution.apply(migration).outcome()).isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
    }

    @Test
    void aConnectionLostMidWayIsReportedWithWhatRanAndTheNextApplyCompletesIt(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("lost"));
        Migration migration = Migration.builder("refill-and-add", "lost").refill(FLOAT64, 1).add("speed", FLOAT64.orNullable()).build();
        SchemaEvolution cutOff = SchemaEvolution.connect(losing(dataSource, "CREATE OR REPLACE VIEW"), new ClickHouseDialect(),
                EvolutionSettings.DEFAULT.withRetries(2, Duration.ofMillis(1)));

        assertThatThrownBy(() -> cutOff.apply(migration)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_ERROR);
            assertThat(e.getMessage()).contains("losing its connection", "stopped after 1 of", "recorded as STARTED",
                    "the next apply on the table completes it").doesNotContain("nothing was changed");
        });
        assertThat(evolution.history(null, "lost")).last().extracting(HistoryEntry::status).isEqualTo(HistoryEntry.Status.STARTED);

        assertThat(evolution.apply(migration).outcome()).isEqualTo(ApplyResult.Outcome.RESUMED);
        assertThat(evolution.verify(null, "lost").isEmpty()).isTrue();
    }

    @Test
    void aPoolAddCutOffBetweenItsViewsRecordsNothingAndTheNextApplyMakesThemAgain(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("views_cut"));
        Migration migration = Migration.builder("add-speed", "views_cut").add("speed", FLOAT64.orNullable()).build();
        SchemaEvolution cutOff = SchemaEvolution.connect(losing(dataSource, "CREATE OR REPLACE VIEW `views_cut_latest`"),
                new ClickHouseDialect(), EvolutionSettings.DEFAULT.withRetries(2, Duration.ofMillis(1)));

        assertThatThrownBy(() -> cutOff.apply(migration)).isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_ERROR);
            assertThat(e.getMessage()).contains("stopped after 1 of 2", "make views only, with nothing recorded");
        });
        // the new version's view was made, and marked as the library's; the history still ends at version 1
        assertThat(evolution.history(null, "views_cut")).last().satisfies(e -> {
            assertThat(e.version()).isEqualTo(1);
            assertThat(e.status()).isEqualTo(HistoryEntry.Status.APPLIED);
        });
        try (Connection connection = dataSource.getConnection()) {
            assertThat(evolution.dialect().introspector().relations(connection, null, java.util.List.of("views_cut_v2")))
                    .containsEntry("views_cut_v2", io.github.schemaevolution.spi.Introspector.libraryView("views_cut"));
        }

        ApplyResult applied = evolution.apply(migration);

        assertThat(applied.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(applied.version().version()).isEqualTo(2);
        try (Connection connection = dataSource.getConnection();
             java.sql.ResultSet row = connection.createStatement().executeQuery("SELECT count(speed) FROM views_cut_latest")) {
            assertThat(row.next()).isTrue();
        }
        assertThat(evolution.apply(migration).outcome()).isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
    }

    /** The library's mark counts for the table it names only: a view marked for another table is someone else's. */
    @Test
    void aViewMarkedForAnotherTableUnderTheNextVersionsNameIsRefusedAndStays(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("marked"));
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE VIEW marked_v2 AS SELECT id FROM marked"
                    + " COMMENT 'schema-evolution view of other'");
        }
        Migration migration = Migration.builder("add-speed", "marked").add("speed", FLOAT64.orNullable()).build();

        assertThatThrownBy(() -> evolution.apply(migration)).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_TAKEN));
        try (Connection connection = dataSource.getConnection();
             java.sql.ResultSet row = connection.createStatement().executeQuery(
                     "SELECT as_select, comment FROM system.tables WHERE database = currentDatabase() AND name = 'marked_v2'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).doesNotContain("speed");
            assertThat(row.getString(2)).isEqualTo("schema-evolution view of other");
        }
        assertThat(evolution.history(null, "marked")).hasSize(1);
    }

    /** Connections of {@code dataSource} whose every statement starting with {@code prefix} fails as a lost connection does. */
    private static DataSource losing(DataSource dataSource, String prefix) {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(ClickHouseMigrationRecoveryIT.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(dataSource, args);
                    return method.getName().equals("getConnection") ? proxied(Connection.class, result, (call, callArgs, real) -> {
                        Object made = call.invoke(real, callArgs);
                        return call.getName().equals("createStatement") ? proxied(java.sql.Statement.class, made,
                                (statementCall, sqlArgs, statement) -> {
                                    if (statementCall.getName().equals("execute") && sqlArgs != null
                                            && String.valueOf(sqlArgs[0]).startsWith(prefix)) {
                                        throw new SQLException("connection lost", "08006", new java.net.ConnectException("refused"));
                                    }
                                    return statementCall.invoke(statement, sqlArgs);
                                }) : made;
                    }) : result;
                });
    }

    private interface Handler {
        Object handle(java.lang.reflect.Method method, Object[] args, Object real) throws Throwable;
    }

    private static Object proxied(Class<?> type, Object real, Handler handler) {
        return java.lang.reflect.Proxy.newProxyInstance(ClickHouseMigrationRecoveryIT.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> {
                    try {
                        return handler.handle(method, args, real);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aHeldLockMakesOtherInstancesWaitAndThenGiveUpClearly(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource,
                EvolutionSettings.DEFAULT.withMigrationLockWait(Duration.ofMillis(300)));
        evolution.create(table("held"));
        HistoryStore history = evolution.dialect().history(EvolutionSettings.DEFAULT.historyTable());
        try (Connection connection = dataSource.getConnection();
             HistoryStore.Lock lock = history.lock(connection, null, "held", "other-instance", Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> evolution.apply(Migration.builder("m", "held").add("x", FLOAT64.orNullable()).build()))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
                        assertThat(e.getMessage()).contains("other-instance");
                    });
        }
        assertThat(evolution.apply(Migration.builder("m", "held").add("x", FLOAT64.orNullable()).build()).outcome())
                .isEqualTo(ApplyResult.Outcome.APPLIED);
    }

    @Test
    void columnsReadByAMaterializedViewAreProtected(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("source"));
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE MATERIALIZED VIEW per_name ENGINE = SummingMergeTree ORDER BY name"
                    + " AS SELECT name, count() AS n FROM source GROUP BY name");
        }
        assertThatThrownBy(() -> evolution.apply(Migration.builder("m", "source").drop("name").build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("materialized view per_name");
                });
        assertThat(evolution.apply(Migration.builder("m2", "source").drop("ratio").build()).outcome())
                .isEqualTo(ApplyResult.Outcome.APPLIED);
    }
}
