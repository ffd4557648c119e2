package io.github.schemaevolution.testkit.clickhouse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Extraction and verification of the engine's npm tarball, and the message when there is no engine. */
class ChdbLibraryTest {
    private static final String MEMBER = "package/libchdb.so";

    @TempDir
    Path directory;

    @Test
    void extractsTheMemberWhenTheDigestMatches() throws Exception {
        byte[] library = content(1300);
        Path tarball = tarball(new Entry("package/package.json", "{}".getBytes(StandardCharsets.UTF_8)), new Entry(MEMBER, library));
        Path target = directory.resolve("libchdb.so");

        ChdbLibrary.extract(tarball, MEMBER, integrity(tarball), target);

        assertThat(target).hasBinaryContent(library);
        assertThat(target.resolveSibling("libchdb.so.partial")).doesNotExist();
    }

    @Test
    void refusesATarballWithAnotherDigestAndLeavesNothing() throws Exception {
        Path tarball = tarball(new Entry(MEMBER, content(700)));
        String other = "sha512-" + Base64.getEncoder().encodeToString(new byte[64]);
        Path target = directory.resolve("libchdb.so");

        assertThatThrownBy(() -> ChdbLibrary.extract(tarball, MEMBER, other, target))
                .isInstanceOf(IOException.class).hasMessageContaining("integrity check failed");
        assertThat(target).doesNotExist();
        assertThat(target.resolveSibling("libchdb.so.partial")).doesNotExist();
    }

    @Test
    void reportsATarballWithoutTheLibrary() throws Exception {
        Path tarball = tarball(new Entry("package/index.js", content(46)));
        Path target = directory.resolve("libchdb.so");

        assertThatThrownBy(() -> ChdbLibrary.extract(tarball, MEMBER, integrity(tarball), target))
                .isInstanceOf(IOException.class).hasMessageContaining(MEMBER + " is missing");
        assertThat(target).doesNotExist();
    }

    @Test
    void aConfiguredLibraryThatIsNoFileFailsListingEveryWayToProvideClickHouse() {
        String previous = System.getProperty(ChdbLibrary.LIBRARY_PROPERTY);
        System.setProperty(ChdbLibrary.LIBRARY_PROPERTY, directory.resolve("missing.so").toString());
        try {
            assertThatThrownBy(ChdbLibrary::locate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("missing.so")
                    .hasMessageContaining("npm")
                    .hasMessageContaining("CHDB_LIBRARY")
                    .hasMessageContaining("SCHEMA_EVOLUTION_CLICKHOUSE_URL")
                    .hasMessageContaining("-Dschemaevolution.clickhouse=testcontainers");
        } finally {
            restore(ChdbLibrary.LIBRARY_PROPERTY, previous);
        }
    }

    static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }

    private record Entry(String name, byte[] content) {
    }

    private static byte[] content(int size) {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        return content;
    }

    private static String integrity(Path file) throws Exception {
        return "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(file)));
    }

    /** A gzipped ustar archive, as npm packs it. */
    private Path tarball(Entry... entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Entry entry : entries) {
            tar.write(header(entry.name(), entry.content().length));
            tar.write(entry.content());
            tar.write(new byte[(512 - entry.content().length % 512) % 512]);
        }
        tar.write(new byte[1024]);
        Path tarball = Files.createTempFile(directory, "package", ".tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tarball))) {
            out.write(tar.toByteArray());
        }
        return tarball;
    }

    private static byte[] header(String name, long size) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", size));
        put(header, 136, String.format("%011o", 0));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        Arrays.fill(header, 148, 156, (byte) ' ');
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        put(header, 148, String.format("%06o", checksum));
        header[154] = 0;
        return header;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
