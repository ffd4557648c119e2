package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.gate.GatedDataSource;
import io.github.schemaevolution.api.gate.MaintenanceGate;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The maintenance gate on a real engine: user statements of several threads wait while it is closed
 * and go on when it opens, or fail with MAINTENANCE after their timeout; administrative statements
 * pass; an instance started while it is closed waits too; the gate of a maintainer killed with SIGKILL
 * opens when its lease ends. A phase table written by administrative statements tells, by what a user
 * query read, whether it ran while the gate was closed.
 */
public abstract class GateContract {
    private static final int USERS = 8;

    /** The engine to test: a fresh schema or database per test. */
    protected abstract DataSource dataSource();

    /** Starts {@link GateProcess} in a child JVM with {@code args}, its data source reaching the same database. */
    protected abstract ChildJvm startGateProcess(String... args) throws IOException;

    /** A query of the database's time in milliseconds since the epoch. */
    protected abstract String nowMillisSql();

    /** DDL of a table {@code phases} with one integer column {@code phase}. */
    protected abstract String phasesDdl();

    private MaintenanceGate gate(String name) {
        return MaintenanceGate.of(dataSource(), name).withPoll(Duration.ofMillis(50));
    }

    private void phase(DataSource through, int phase) throws SQLException {
        try (Connection connection = through.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO phases VALUES (" + phase + ")");
        }
    }

    @Test
    void userStatementsWaitWhileTheGateIsClosedAndEachIsAnsweredAfterItOpensOrRefusedAfterItsTimeout() throws Exception {
        execute(phasesDdl(), "INSERT INTO phases VALUES (0)");
        MaintenanceGate gate = gate("users");
        ExecutorService users = Executors.newFixedThreadPool(USERS);
        try (GatedDataSource gated = gate.gated(dataSource(), Duration.ofMillis(1_500), USERS)) {
            assertThat(gated.view().closed()).isFalse();
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> refused = new ConcurrentLinkedQueue<>();

            // closed, then open: every query waits and is answered after the gate opens
            MaintenanceGate.Closure closure = gate.close(Duration.ofSeconds(30), Duration.ofSeconds(10));
            assertThat(closure.undrained()).isEmpty();
            phase(gated.admin(), 1);
            assertThat(GateProcess.first(gated.admin(), "SELECT max(phase) FROM phases")).as("administrative statements pass").isEqualTo("1");
            List<Future<?>> queries = submit(users, gated, seen, refused);
            awaitCondition(() -> gated.view().queued() == USERS, "all " + USERS + " queries waiting");
            phase(gated.admin(), 2);
            closure.open();
            for (Future<?> query : queries) {
                query.get(60, TimeUnit.SECONDS);
            }
            assertThat(seen).as("answered after the gate opened, never while it was closed").hasSize(USERS).containsOnly("2");
            assertThat(refused).isEmpty();

            // closed for longer than the queue timeout: every query is refused, none runs
            seen.clear();
            MaintenanceGate.Closure longer = gate.close(Duration.ofSeconds(30), Duration.ofSeconds(10));
            phase(gated.admin(), 3);
            for (Future<?> query : submit(users, gated, seen, refused)) {
                query.get(60, TimeUnit.SECONDS);
            }
            assertThat(seen).isEmpty();
            assertThat(refused).hasSize(USERS).allSatisfy(e -> {
                assertThat(e).isInstanceOf(SQLTransientException.class).hasMessageContaining("stayed closed for 1500 ms");
                assertThat(((SchemaEvolutionException) e.getCause()).code()).isEqualTo(ErrorCode.MAINTENANCE);
            });
            assertThatThrownBy(() -> gate.close(Duration.ofSeconds(30), Duration.ofSeconds(1)))
                    .as("one maintainer at a time").isInstanceOfSatisfying(SchemaEvolutionException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.MAINTENANCE));
            longer.open();
            assertThat(GateProcess.first(gated, "SELECT max(phase) FROM phases")).isEqualTo("3");
        } finally {
            users.shutdownNow();
        }
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        execute(phasesDdl(), "INSERT INTO phases VALUES (0)");
        MaintenanceGate gate = gate("queue");
        ExecutorService users = Executors.newFixedThreadPool(2);
        try (GatedDataSource gated = gate.gated(dataSource(), Duration.ofSeconds(60), 1)) {
            MaintenanceGate.Closure closure = gate.close(Duration.ofSeconds(30), Duration.ofSeconds(10));
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> refused = new ConcurrentLinkedQueue<>();
            Future<?> first = users.submit(() -> query(gated, seen, refused));
            awaitCondition(() -> gated.view().queued() == 1, "the first query waiting");
            query(gated, seen, refused);
            assertThat(refused).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("its queue is full (1 statements wait)"));
            closure.open();
            first.get(60, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("0");
        } finally {
            users.shutdownNow();
        }
    }

    @Test
    void anInstanceStartedWhileTheGateIsClosedWaitsToo() throws Exception {
        execute(phasesDdl(), "INSERT INTO phases VALUES (0)");
        MaintenanceGate gate = gate("late");
        MaintenanceGate.Closure closure = gate.close(Duration.ofSeconds(30), Duration.ofSeconds(10));
        phase(dataSource(), 1);
        ChildJvm child = startGateProcess("user", "late", "SELECT max(phase) FROM phases");
        assertThat(child.nextLine()).isEqualTo("started closed=true");
        phase(dataSource(), 2);
        closure.open();
        assertThat(child.awaitExit(120).lines()).containsExactly("answered 2");
    }

    @Test
    void theGateOfAMaintainerKilledWithSigkillOpensWhenItsLeaseEnds() throws Exception {
        ChildJvm maintainer = startGateProcess("maintainer", "killed", "3000", nowMillisSql());
        String[] closed = maintainer.nextLine().split(" ");
        assertThat(closed[0]).isEqualTo("closed");
        long closingFrom = Long.parseLong(closed[2]);
        assertThat(maintainer.kill()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(gate("killed").state().closed()).as("closed until its lease ends").isTrue();

        try (GatedDataSource gated = gate("killed").gated(dataSource(), Duration.ofSeconds(60), 8)) {
            long answeredAt = Long.parseLong(GateProcess.first(gated, nowMillisSql()));
            assertThat(answeredAt).as("answered once the lease had ended").isGreaterThanOrEqualTo(closingFrom + 3_000);
        }
        assertThat(gate("killed").state().closed()).isFalse();
    }

    @Test
    void anExclusiveMigrationHoldsTheGateWhileItRunsAndOpensItAfterwardsEvenWhenItFails() {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource());
        evolution.create(Table.builder("g_exclusive").column("id", ColumnType.INT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        MaintenanceGate gate = gate("exclusive");
        long before = gate.state().epoch();

        ApplyResult added = evolution.applyExclusive(Migration.builder("x-add", "g_exclusive").add("speed",
                ColumnType.FLOAT64.orNullable()).build(), gate, Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertThat(added.outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
        assertThat(gate.state().epoch()).as("closed once for it").isEqualTo(before + 1);
        assertThat(gate.state().closed()).isFalse();

        assertThatThrownBy(() -> evolution.applyExclusive(Migration.builder("x-drop", "g_exclusive").drop("nothing").build(),
                gate, Duration.ofSeconds(30), Duration.ofSeconds(10))).isInstanceOf(SchemaEvolutionException.class);
        assertThat(gate.state().epoch()).isEqualTo(before + 2);
        assertThat(gate.state().closed()).as("open again after a refused migration").isFalse();
    }

    private List<Future<?>> submit(ExecutorService users, GatedDataSource gated, ConcurrentLinkedQueue<String> seen,
                                   ConcurrentLinkedQueue<Throwable> refused) {
        List<Future<?>> queries = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            queries.add(users.submit(() -> query(gated, seen, refused)));
        }
        return queries;
    }

    private static void query(GatedDataSource gated, ConcurrentLinkedQueue<String> seen, ConcurrentLinkedQueue<Throwable> refused) {
        try {
            seen.add(GateProcess.first(gated, "SELECT max(phase) FROM phases"));
        } catch (SQLException e) {
            refused.add(e);
        }
    }

    /** Waits for a state the test cannot be told of otherwise (threads parked in the gate's queue), at most 60 s. */
    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    private void execute(String... sql) throws SQLException {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }
}
