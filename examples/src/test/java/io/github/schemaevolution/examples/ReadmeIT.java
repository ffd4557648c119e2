package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.migrations.MigrationFiles;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Using it" block is {@link UsingIt}'s code, and it runs on both engines. */
@PostgresTest
@ClickHouseTest
class ReadmeIT {

    @Test
    void theReadmeShowsTheCodeOfUsingItAndUsingJooq() throws IOException {
        assertThat(block("## Using it", "```java")).as("README's Using it block; update UsingIt.java and the README together")
                .isEqualTo(marked("UsingIt.java", "using-it"));
        assertThat(block("### Typed handles with jOOQ", "```java")).as("README's jOOQ block; update UsingJooq.java too")
                .isEqualTo(marked("UsingJooq.java", "jooq"));
    }

    @Test
    void theReadmesMigrationFileReads() throws IOException {
        String yaml = block("## Migration files and the command line", "```yaml");
        Migration migration = MigrationFiles.parse(yaml, "2026-12-01-timings", "README");
        assertThat(migration.table()).isEqualTo("fastpath");
        assertThat(migration.changes()).hasSize(5);
    }

    /** The first block opening with {@code fence} after {@code heading}. */
    private static String block(String heading, String fence) throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf(fence, readme.indexOf(heading)) + fence.length() + 1;
        return readme.substring(start, readme.indexOf("```", start));
    }

    /** The lines of an example between its {@code // README: <name> begin} and {@code end} markers, unindented. */
    private static String marked(String file, String name) throws IOException {
        String source = Files.readString(Path.of("src", "main", "java", "io", "github", "schemaevolution", "examples", file));
        String begin = "// README: " + name + " begin\n";
        String marked = source.substring(source.indexOf(begin) + begin.length(), source.indexOf("        // README: " + name + " end"));
        return marked.lines().map(line -> line.startsWith("        ") ? line.substring(8) : line)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void itRunsOnPostgres(PostgresEndpoint postgres) {
        runs(postgres.dataSource());
    }

    @Test
    void itRunsOnClickHouse(ClickHouseEndpoint clickHouse) {
        runs(clickHouse.dataSource());
    }

    private static void runs(DataSource dataSource) {
        String column = UsingIt.run(dataSource);
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        assertThat(evolution.currentVersion(null, "fastpath").orElseThrow().version()).isEqualTo(3);
        assertThat(evolution.currentVersion(null, "fastpath").orElseThrow().physicalName("dns_time_ms")).isEqualTo(column);
        assertThat(evolution.currentVersion(null, "fastpath").orElseThrow().logicalColumns())
                .extracting(c -> c.name()).containsExactly("measurement_uid", "country", "measurement_start_time",
                        "update_time", "dns_time_ms");
        assertThat(evolution.verify(null, "fastpath").isEmpty()).isTrue();
        assertThat(UsingJooq.run(evolution, dataSource)).as("the row the jOOQ block inserted").isEqualTo(1);
    }
}
