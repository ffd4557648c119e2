package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static io.github.schemaevolution.api.model.ColumnType.UINT64;
import static org.assertj.core.api.Assertions.assertThat;

/** The ClickHouse migration lock is a lease: its holders are separate JVMs, one killed with SIGKILL while it holds it. */
@ClickHouseTest
class ClickHouseLockIT {
    static final Migration MIGRATION = Migration.builder("refill-and-add", "held").refill(FLOAT64, 1).add("speed", FLOAT64.orNullable()).build();

    private static Table table(String name) {
        return Table.builder(name).column("id", UINT64).column("name", STRING)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).build();
    }

    @Test
    void anApplierKilledWhileHoldingTheLockHoldsUpTheNextOneForAboutALeaseOnly(ClickHouseEndpoint endpoint,
            DataSource dataSource) throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource, new ClickHouseDialect(),
                EvolutionSettings.DEFAULT.withMigrationLockWait(Duration.ofMinutes(2)));
        evolution.create(table("held"));
        ChildJvm holder = ChildJvm.start(LockHolderMain.class, endpoint.jdbcUrl(), "held", "10000", "1500", "started");
        holder.send("go");
        assertThat(holder.killWhenItPrints("locked")).as("killed by SIGKILL while holding the lock").isEqualTo(137);
        assertThat(locks()).as("the killed holder's lock stays").containsExactly("schema_evolution_lock_held");

        ApplyResult result = evolution.apply(MIGRATION);

        assertThat(result.outcome()).as("the killed applier's migration, completed").isEqualTo(ApplyResult.Outcome.RESUMED);
        assertThat(evolution.verify(null, "held").isEmpty()).isTrue();
        assertThat(locks()).isEmpty();
    }

    @Test
    void ofTwoWaitersThatFindAnExpiredLockExactlyOneTakesIt(ClickHouseEndpoint endpoint) throws Exception {
        execute("CREATE TABLE schema_evolution_lock_contended (owner String) ENGINE = Memory COMMENT 'dead|1000|0badf00d'");
        List<ChildJvm> waiters = List.of(
                ChildJvm.start(LockHolderMain.class, endpoint.jdbcUrl(), "contended", "3000", "60000", "hold"),
                ChildJvm.start(LockHolderMain.class, endpoint.jdbcUrl(), "contended", "3000", "60000", "hold"));
        for (ChildJvm waiter : waiters) {
            waiter.send("go");
        }
        // the winner says so at once; the other waits its 3 s out, the lock never free for it
        List<String> said = List.of(waiters.get(0).nextLine(), waiters.get(1).nextLine());
        assertThat(said).containsExactlyInAnyOrder("locked", "LOCK_TIMEOUT");
        assertThat(locks()).containsExactly("schema_evolution_lock_contended");
        for (ChildJvm waiter : waiters) {
            try {
                waiter.send("release");
            } catch (IOException ended) {
                // the waiter that gave up has ended
            }
            waiter.awaitExit(60);
        }
        assertThat(locks()).as("released by its holder").isEmpty();
    }

    @Test
    void aHolderRenewsItsLeaseSoThatNoWaiterBreaksALockHeldLongerThanALease(ClickHouseEndpoint endpoint) throws Exception {
        ChildJvm holder = ChildJvm.start(LockHolderMain.class, endpoint.jdbcUrl(), "renewed", "3000", "1000", "hold");
        holder.send("go");
        assertThat(holder.nextLine()).isEqualTo("locked");
        ChildJvm waiter = ChildJvm.start(LockHolderMain.class, endpoint.jdbcUrl(), "renewed", "4000", "60000", "hold");
        waiter.send("go");
        assertThat(waiter.awaitExit(60).lines()).as("four leases of waiting, the lease renewed all along")
                .containsExactly("LOCK_TIMEOUT");
        holder.send("release");
        assertThat(holder.awaitExit(60).code()).isZero();
        assertThat(locks()).isEmpty();
    }

    @Test
    void aUserTableNamedLikeTheLockIsRefusedAndNeverDropped() throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("mine"));
        execute("CREATE TABLE schema_evolution_lock_mine (id Int64) ENGINE = MergeTree ORDER BY id");
        execute("INSERT INTO schema_evolution_lock_mine VALUES (1), (2)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> evolution.apply(MIGRATION_ON_MINE))
                .isInstanceOfSatisfying(io.github.schemaevolution.api.SchemaEvolutionException.class,
                        e -> assertThat(e.code()).isEqualTo(io.github.schemaevolution.api.ErrorCode.NAME_TAKEN));
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT count() FROM schema_evolution_lock_mine")) {
            row.next();
            assertThat(row.getLong(1)).as("the user's table and its rows stay").isEqualTo(2);
        }
        assertThat(evolution.currentVersion(null, "mine")).get().extracting(v -> v.version()).isEqualTo(1);
    }

    private static final Migration MIGRATION_ON_MINE = Migration.builder("add", "mine").add("speed", FLOAT64.orNullable()).build();

    private DataSource dataSource;

    @org.junit.jupiter.api.BeforeEach
    void bind(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private List<String> locks() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("SELECT name FROM system.tables"
                     + " WHERE database = currentDatabase() AND startsWith(name, 'schema_evolution_lock_') ORDER BY name")) {
            List<String> names = new java.util.ArrayList<>();
            while (row.next()) {
                names.add(row.getString(1));
            }
            return names;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(sql);
        }
    }
}
