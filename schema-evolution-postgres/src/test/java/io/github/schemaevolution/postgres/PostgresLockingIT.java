package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.EvolutionSettings;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static io.github.schemaevolution.api.model.ColumnType.FLOAT64;
import static io.github.schemaevolution.api.model.ColumnType.INT64;
import static io.github.schemaevolution.api.model.ColumnType.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PostgreSQL engine rules: DDL never waits long behind a reader, and indexed columns are protected. */
@PostgresTest
class PostgresLockingIT {

    private static Table table(String name) {
        return Table.builder(name).column("id", INT64).column("name", STRING)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 1).build())
                .postgres(PostgresOptions.primaryKey("id")).build();
    }

    @Test
    void aLongReaderMakesTheMigrationGiveUpInsteadOfQueueingEveryone(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource, EvolutionSettings.DEFAULT
                .withDdlLockTimeout(Duration.ofMillis(100)).withRetries(3, Duration.ofMillis(10)));
        evolution.create(table("busy"));
        Migration add = Migration.builder("add", "busy").add("speed", FLOAT64.orNullable()).build();
        try (Connection reader = dataSource.getConnection()) {
            reader.setAutoCommit(false);
            try (ResultSet rows = reader.createStatement().executeQuery("SELECT * FROM busy")) {
                assertThat(rows.next()).isFalse();
            }
            // the reader's transaction holds ACCESS SHARE on busy: the RENAME needs ACCESS EXCLUSIVE
            assertThatThrownBy(() -> evolution.apply(add))
                    .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
                        assertThat(e.getMessage()).contains("3 attempts", "100 ms", "nothing was changed");
                    });
            try (Connection other = dataSource.getConnection();
                 ResultSet rows = other.createStatement().executeQuery("SELECT count(*) FROM busy")) {
                assertThat(rows.next()).isTrue();
            }
            reader.commit();
        }
        assertThat(evolution.currentVersion(null, "busy")).map(SchemaVersion::version).contains(1);
        assertThat(evolution.apply(add).outcome()).isEqualTo(ApplyResult.Outcome.APPLIED);
    }

    @Test
    void columnsInIndexesAreProtected(DataSource dataSource) throws SQLException {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(table("indexed"));
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute("CREATE INDEX indexed_name ON indexed (name)");
        }
        assertThatThrownBy(() -> evolution.apply(Migration.builder("drop", "indexed").drop("name").build()))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHANGE_FORBIDDEN);
                    assertThat(e.getMessage()).contains("indexed_name");
                });
        assertThat(evolution.currentVersion(null, "indexed")).map(SchemaVersion::version).contains(1);
    }
}
