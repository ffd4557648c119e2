package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The goals as a build runs them, over a folder of migration files, on both engines; and their descriptor. */
@PostgresTest
@ClickHouseTest
class GoalsIT {

    @Test
    void theDescriptorNamesTheGoals() throws Exception {
        String descriptor = Files.readString(Path.of("target", "classes", "META-INF", "maven", "plugin.xml"));
        assertThat(descriptor).contains("<goalPrefix>schema-evolution</goalPrefix>", "<goal>plan</goal>", "<goal>apply</goal>",
                "<goal>verify</goal>", "schemaEvolution.url");
    }

    @Test
    void onPostgres(PostgresEndpoint postgres, @TempDir Path dir) throws Exception {
        goals(postgres.jdbcUrl(), postgres.user(), postgres.password(), postgres.dataSource(), dir);
    }

    @Test
    void onClickHouse(ClickHouseEndpoint clickHouse, @TempDir Path dir) throws Exception {
        goals(clickHouse.jdbcUrl(), clickHouse.user(), clickHouse.password(), clickHouse.dataSource(), dir);
    }

    private static void goals(String url, String user, String password, DataSource dataSource, Path dir) throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(Table.builder("events").column("id", INT64).column("kind", STRING)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 1).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        Files.writeString(dir.resolve("2026-12-01-latency.yaml"), "table: events\nchanges:\n  - add: latency_ms\n    type: Nullable(Float64)\n");

        configure(new PlanMojo(), url, user, password, dir).execute();
        configure(new ApplyMojo(), url, user, password, dir).execute();
        configure(new ApplyMojo(), url, user, password, dir).execute();
        assertThat(evolution.history(null, "events")).extracting(HistoryEntry::migrationId).containsOnlyOnce("2026-12-01-latency");
        configure(new VerifyMojo(), url, user, password, dir).execute();

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE events ADD COLUMN hotfix " + evolution.dialect().typeSql(INT32.orNullable()));
        }
        assertThatThrownBy(() -> configure(new VerifyMojo(), url, user, password, dir).execute())
                .isInstanceOf(MojoFailureException.class).hasMessageContaining("schema drift", "hotfix");

        Files.writeString(dir.resolve("2026-12-02-bad.yaml"), "table: events\nchanges:\n  - retire: two\n");
        assertThatThrownBy(() -> configure(new ApplyMojo(), url, user, password, dir).execute())
                .isInstanceOf(MojoFailureException.class).hasMessageContaining("MODEL_INVALID", "2026-12-02-bad.yaml");
        EvolutionMojo skipped = configure(new ApplyMojo(), url, user, password, dir);
        skipped.skip = true;
        skipped.execute();
    }

    private static EvolutionMojo configure(EvolutionMojo mojo, String url, String user, String password, Path dir) {
        mojo.url = url;
        mojo.user = user;
        mojo.password = password == null ? "" : password;
        mojo.dir = dir.toFile();
        return mojo;
    }
}
