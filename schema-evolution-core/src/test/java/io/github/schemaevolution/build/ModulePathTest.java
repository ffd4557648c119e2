package io.github.schemaevolution.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer on the module path reaches the API and the SPI, and not {@code internal}: compiled
 * here with javac against the built classes, as a consumer's build would.
 */
class ModulePathTest {
    private static final Path CORE = Path.of("target", "classes");

    @Test
    void everyPackageButInternalIsExported() {
        ModuleDescriptor core = ModuleFinder.of(CORE).find("io.github.schemaevolution.core").orElseThrow().descriptor();
        Set<String> exported = core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(core.packages()).contains("io.github.schemaevolution.internal");
        assertThat(exported).isEqualTo(core.packages().stream()
                .filter(p -> !p.startsWith("io.github.schemaevolution.internal")).collect(Collectors.toSet()));
        assertThat(core.uses()).containsExactly("io.github.schemaevolution.spi.Dialect");
    }

    @Test
    void aConsumerModuleCompilesAgainstTheApi(@TempDir Path dir) throws Exception {
        String out = compile(dir, "import io.github.schemaevolution.api.model.Table;\n"
                + "public class Use { Table table; }");
        assertThat(out).isEmpty();
    }

    @Test
    void aConsumerModuleCannotReachInternal(@TempDir Path dir) throws Exception {
        String out = compile(dir, "import io.github.schemaevolution.internal.Texts;\n"
                + "public class Use { Texts texts; }");
        assertThat(out).contains("package io.github.schemaevolution.internal is not visible");
    }

    /** Compiles module {@code consumer} holding one class {@code use.Use}; returns javac's messages. */
    private static String compile(Path dir, String body) throws IOException, URISyntaxException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("use"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires io.github.schemaevolution.core; }");
        Files.writeString(src.resolve("use").resolve("Use.java"), "package use;\n" + body);
        Path slf4j = Path.of(org.slf4j.Logger.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        StringWriter messages = new StringWriter();
        PrintWriter writer = new PrintWriter(messages);
        ToolProvider.findFirst("javac").orElseThrow().run(writer, writer, "--release", "17", "-d", dir.resolve("out").toString(),
                "--module-path", CORE.toAbsolutePath() + java.io.File.pathSeparator + slf4j,
                src.resolve("module-info.java").toString(), src.resolve("use").resolve("Use.java").toString());
        writer.flush();
        return messages.toString();
    }
}
