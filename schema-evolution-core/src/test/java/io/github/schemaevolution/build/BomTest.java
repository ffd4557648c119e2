package io.github.schemaevolution.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The BOM is standalone (it must not pin the build's own versions for consumers): its versions must follow the build's. */
class BomTest {
    private static final Path PARENT = Path.of("..", "pom.xml");
    private static final Path BOM = Path.of("..", "schema-evolution-bom", "pom.xml");

    @Test
    void theBomPinsTheVersionsTheBuildTestsWith() throws IOException {
        String parent = Files.readString(PARENT);
        String bom = Files.readString(BOM);
        for (String property : new String[] {"pgjdbc.version", "clickhouse-java.version", "slf4j.version"}) {
            assertThat(tag(bom, property)).as(property).isEqualTo(tag(parent, property));
        }
        assertThat(projectVersion(bom)).isEqualTo(projectVersion(parent));
        for (String module : new String[] {"schema-evolution-core", "schema-evolution-postgres", "schema-evolution-clickhouse",
                "schema-evolution-testkit", "schema-evolution-migrations", "schema-evolution-jooq", "schema-evolution-cli"}) {
            assertThat(bom).as("the BOM lists " + module).contains("<artifactId>" + module + "</artifactId>");
        }
    }

    @Test
    void everyArtifactHasAStableModuleName() throws IOException {
        for (String module : new String[] {"schema-evolution-core", "schema-evolution-postgres", "schema-evolution-clickhouse",
                "schema-evolution-testkit", "schema-evolution-migrations", "schema-evolution-jooq", "schema-evolution-cli",
                "schema-evolution-maven-plugin"}) {
            String pom = Files.readString(Path.of("..", module, "pom.xml"));
            assertThat(tag(pom, "automatic.module.name")).as(module).matches("io\\.github\\.schemaevolution\\.[a-z]+");
        }
    }

    private static String tag(String pom, String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(matcher.find()).as(name).isTrue();
        return matcher.group(1);
    }

    /** The first {@code <version>} after the project's own artifactId. */
    private static String projectVersion(String pom) {
        Matcher matcher = Pattern.compile("<artifactId>schema-evolution-(?:parent|bom)</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }
}
