package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
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
    void theReadmeShowsTheCodeOfUsingIt() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Using it");
        int start = readme.indexOf("```java", section) + "```java\n".length();
        String block = readme.substring(start, readme.indexOf("```", start));
        String source = Files.readString(Path.of("src", "main", "java", "io", "github", "schemaevolution", "examples", "UsingIt.java"));
        String marked = source.substring(source.indexOf("// README: using-it begin\n") + "// README: using-it begin\n".length(),
                source.indexOf("        // README: using-it end"));
        String code = marked.lines().map(line -> line.startsWith("        ") ? line.substring(8) : line)
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(block).as("README's Using it block; update UsingIt.java and the README together").isEqualTo(code);
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
    }
}
