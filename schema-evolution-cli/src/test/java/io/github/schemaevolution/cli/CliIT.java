package io.github.schemaevolution.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line as an operator or a Python service runs it: the executable jar, in processes of its
 * own, over a folder of migration files, on both engines.
 */
@PostgresTest
@ClickHouseTest
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run of the jar printed and returned. */
    private record Run(int code, String out, String err) {
    }

    @Test
    void onPostgres(PostgresEndpoint postgres, @TempDir Path dir) throws Exception {
        scenario(new Target(postgres.jdbcUrl(), postgres.user(), postgres.password(), postgres.dataSource()), dir,
                "{old}::text", "INSERT INTO readings (id, flag) SELECT g, g % 5 FROM generate_series(0, 999) g");
    }

    @Test
    void onClickHouse(ClickHouseEndpoint clickHouse, @TempDir Path dir) throws Exception {
        scenario(new Target(clickHouse.jdbcUrl(), clickHouse.user(), clickHouse.password(), clickHouse.dataSource()), dir,
                "toString({old})", "INSERT INTO readings (id, flag) SELECT number, toInt32(number % 5) FROM numbers(1000)");
    }

    private record Target(String url, String user, String password, DataSource dataSource) {
    }

    private void scenario(Target target, Path dir, String toText, String rows) throws Exception {
        SchemaEvolution evolution = SchemaEvolution.connect(target.dataSource());
        evolution.create(Table.builder("readings").column("id", INT64).column("flag", INT32)
                .reserve(ReservePolicy.builder().spares(STRING, 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        execute(target, rows);
        Files.writeString(dir.resolve("2026-12-01-note.yaml"), """
                table: readings
                changes:
                  - add: note
                    type: Nullable(String)
                """);
        Files.writeString(dir.resolve("2026-12-02-flag-text.yaml"), """
                table: readings
                changes:
                  - retype: flag
                    type: Nullable(String)
                    using: "%s"
                """.formatted(toText));

        Run status = cli(target, "status", "--dir", dir.toString());
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("readings: version 1", "2 pending");
        assertThat(cli(target, "status", "--check", "--dir", dir.toString()).code()).isEqualTo(Main.DRIFT);
        JsonNode json = JSON.readTree(cli(target, "status", "--json", "--dir", dir.toString()).out());
        assertThat(json.at("/tables/0/pending")).hasSize(2);

        Run plan = cli(target, "plan", "--dir", dir.toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("plan 2026-12-01-note", "after these: [2026-12-02-flag-text]");

        // two processes at once: each migration is applied once
        List<Process> appliers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            appliers.add(start(target, "apply", "--dir", dir.toString()));
        }
        for (Process applier : appliers) {
            Run run = finish(applier);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).contains("2026-12-02-flag-text: ");
        }
        assertThat(evolution.history(null, "readings")).extracting(HistoryEntry::migrationId)
                .doesNotHaveDuplicates().endsWith("2026-12-01-note", "2026-12-02-flag-text");
        assertThat(cli(target, "status", "--check", "--dir", dir.toString()).code()).isZero();

        Run backfill = cli(target, "backfill", "--table", "readings", "--column", "flag", "--rows-per-chunk", "100",
                "--progress", "always");
        assertThat(backfill.code()).as(backfill.err()).isZero();
        assertThat(backfill.out()).contains("COMPLETED");
        assertThat(backfill.err()).contains("\r[", "100%", "chunks", "rows/s");
        assertThat(evolution.currentVersion(null, "readings").orElseThrow().retypes()).singleElement()
                .satisfies(retype -> assertThat(retype.phase().name()).isEqualTo("CONTRACT"));

        assertThat(cli(target, "verify", "--table", "readings").code()).isZero();
        execute(target, "ALTER TABLE readings ADD COLUMN hotfix " + evolution.dialect().typeSql(INT32.orNullable()));
        Run drift = cli(target, "verify", "--table", "readings", "--json");
        assertThat(drift.code()).isEqualTo(Main.DRIFT);
        assertThat(JSON.readTree(drift.out()).get("drift").booleanValue()).isTrue();

        Files.writeString(dir.resolve("2026-12-03-bad.yaml"), "table: readings\nchanges:\n  - drop: flag\n    to: x\n");
        Run bad = cli(target, "apply", "--dir", dir.toString());
        assertThat(bad.code()).isEqualTo(Main.REFUSED);
        assertThat(bad.err()).contains("MODEL_INVALID", "2026-12-03-bad.yaml", "unknown field 'to'");
        assertThat(cli(target, "history", "--table", "readings").out()).contains("2026-12-02-flag-text");
        copiesAndReleases(target, evolution);
        chunked(target, evolution, Files.createDirectories(dir.resolve("cat")));
    }

    /** Six chunk tables as one logical table: registered, a migration file applied to some chunks, then to the rest. */
    private void chunked(Target target, SchemaEvolution evolution, Path dir) throws Exception {
        for (int chunk = 1; chunk <= 6; chunk++) {
            for (var ddl : evolution.dialect().createTable(Table.builder("cat_" + chunk).column("id", INT64)
                    .reserve(ReservePolicy.builder().spares(STRING.orNullable(), 1).build())
                    .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build())) {
                execute(target, ddl.sql());
            }
        }
        Run registered = cli(target, "chunked", "register", "--prefix", "cat", "--json");
        assertThat(registered.code()).as(registered.err()).isZero();
        assertThat(JSON.readTree(registered.out()).get("chunks").asInt()).isEqualTo(6);
        Files.writeString(dir.resolve("2026-12-04-label.yaml"), "table: cat\nchanges:\n  - add: label\n    type: Nullable(String)\n");
        Run some = cli(target, "chunked", "apply", "--prefix", "cat", "--dir", dir.toString(), "--numbers", "1-4");
        assertThat(some.code()).as(some.err()).isEqualTo(Main.INCOMPLETE);
        assertThat(some.out()).contains("PENDING", "3 of 6 chunk tables at version 2", "the logical table at version 1");
        JsonNode state = JSON.readTree(cli(target, "chunked", "state", "--prefix", "cat", "--json").out());
        assertThat(state.at("/pending/chunksDone").asInt()).isEqualTo(3);
        Run rest = cli(target, "chunked", "apply", "--prefix", "cat", "--dir", dir.toString(), "--json");
        assertThat(rest.code()).as(rest.err()).isZero();
        assertThat(JSON.readTree(rest.out()).at("/applied/0/version").asInt()).isEqualTo(2);
        assertThat(cli(target, "chunked", "state", "--prefix", "cat").out()).startsWith("cat at version 2")
                .doesNotContain("chunk tables");
        assertThat(cli(target, "chunked", "apply", "--prefix", "cat", "--dir", dir.toString(), "--numbers", "x").code())
                .isEqualTo(Main.USAGE);
    }

    /** The A/B copies' cycle and a release, as an operator's script runs them. */
    private void copiesAndReleases(Target target, SchemaEvolution evolution) throws Exception {
        for (String copy : List.of("objects_a", "objects_b")) {
            evolution.create(Table.builder(copy).column("id", INT64).column("flux", FLOAT64)
                    .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        }
        execute(target, "INSERT INTO objects_a (id, flux) VALUES (1, 0.5), (2, 1.5), (3, 2.5)");
        Run declared = cli(target, "copies", "declare", "--logical", "objects", "--copy-a", "objects_a", "--copy-b", "objects_b", "--json");
        assertThat(declared.code()).as(declared.err()).isZero();
        assertThat(JSON.readTree(declared.out()).get("serving").asText()).isEqualTo("objects_a");
        assertThat(cli(target, "copies", "verify", "--logical", "objects", "--key", "id", "--width", "2").code()).isEqualTo(Main.DRIFT);
        Run caughtUp = cli(target, "copies", "catch-up", "--logical", "objects", "--run-id", "day-1", "--rows-per-chunk", "2");
        assertThat(caughtUp.code()).as(caughtUp.err()).isZero();
        assertThat(caughtUp.out()).contains("COMPLETED");
        Run same = cli(target, "copies", "verify", "--logical", "objects", "--key", "id", "--width", "2", "--json");
        assertThat(same.code()).as(same.out()).isZero();
        assertThat(JSON.readTree(same.out()).get("same").booleanValue()).isTrue();
        Run dryRun = cli(target, "copies", "swap", "--logical", "objects", "--dry-run");
        assertThat(dryRun.out()).contains("objects_v1", "objects_b_v1");
        assertThat(JSON.readTree(cli(target, "copies", "state", "--logical", "objects", "--json").out()).get("serving").asText())
                .as("a dry run changes nothing").isEqualTo("objects_a");
        Run swapped = cli(target, "copies", "swap", "--logical", "objects", "--json");
        assertThat(swapped.code()).as(swapped.err()).isZero();
        assertThat(JSON.readTree(swapped.out()).get("serving").asText()).isEqualTo("objects_b");
        assertThat(cli(target, "copies", "swap-back", "--logical", "objects").out()).contains("objects_a");
        assertThat(cli(target, "copies", "state", "--logical", "nothing").code()).isEqualTo(Main.REFUSED);

        for (int chunk = 1; chunk <= 3; chunk++) {
            evolution.create(Table.builder("obj_" + chunk).column("id", INT64).column("flux", FLOAT64)
                    .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        }
        assertThat(cli(target, "chunks-report", "--prefix", "obj").code()).isZero();
        execute(target, "ALTER TABLE obj_3 ADD COLUMN hotfix " + evolution.dialect().typeSql(INT32.orNullable()));
        Run chunks = cli(target, "chunks-report", "--prefix", "obj", "--json");
        assertThat(chunks.code()).as(chunks.err()).isEqualTo(Main.DRIFT);
        JsonNode variant = JSON.readTree(chunks.out()).get("report").get("variants").get(0);
        assertThat(variant.get("named").get(0).asText()).isEqualTo("obj_3");
        assertThat(variant.get("differences").get(0).get("column").asText()).isEqualTo("hotfix");

        // the same database under two host names, then a third host that is down
        Run hosts = finish(startWithout(target, "hosts-compare", "--table", "obj_1", "--host", "one=" + target.url(),
                "--host", "two=" + target.url(), "--user", String.valueOf(target.user())));
        assertThat(hosts.code()).as(hosts.out() + hosts.err()).isZero();
        Run down = finish(startWithout(target, "hosts-compare", "--table", "obj_1", "--host", "one=" + target.url(),
                "--host", "down=" + target.url().replaceFirst("//[^/]+/", "//127.0.0.1:1/"), "--user", String.valueOf(target.user()),
                "--json"));
        assertThat(down.code()).as(down.err()).isEqualTo(Main.DRIFT);
        assertThat(JSON.readTree(down.out()).get("unreachable").has("down")).isTrue();

        Run published = cli(target, "publish", "--table", "objects_a", "--release", "DR1");
        assertThat(published.code()).as(published.err()).isZero();
        assertThat(cli(target, "releases", "--table", "objects_a").out()).contains("DR1", "version 2", "additive");
        assertThat(cli(target, "publish", "--table", "objects_a", "--release", "DR1").out()).as("run again")
                .contains("ALREADY_APPLIED");
    }

    private static void execute(Target target, String sql) throws Exception {
        try (Connection connection = target.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Run cli(Target target, String... args) throws Exception {
        return finish(start(target, args));
    }

    private static Process start(Target target, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", target.url(), "--user", target.user()));
        return startWithout(target, all.toArray(String[]::new));
    }

    /** The jar with {@code args} alone: no --url or --user added. */
    private static Process startWithout(Target target, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // the password from the environment, as an operator would give it
        builder.environment().put("SCHEMA_EVOLUTION_PASSWORD", target.password() == null ? "" : target.password());
        return builder.start();
    }

    private static Run finish(Process process) throws Exception {
        // both streams are read at once, so that neither fills its pipe while the other is read
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the command ended").isTrue();
        return new Run(process.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The executable jar the package phase made. */
    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().endsWith("-all.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no executable jar in target/: run mvn package first"));
        }
    }
}
