package io.github.schemaevolution.testkit.clickhouse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Finds the chDB engine ({@code libchdb.so}, ClickHouse 26.7) and fetches it once when missing.
 *
 * <p>In order: the file named by the system property {@code schemaevolution.chdb.library} or the
 * environment variable {@code CHDB_LIBRARY}; the cache
 * {@code ${XDG_CACHE_HOME:-~/.cache}/schema-evolution/chdb/<version>/libchdb.so}; otherwise the
 * pinned npm package is fetched with {@code npm pack}, its SHA-512 checked against the pinned
 * integrity, and the library extracted into the cache (written to a temporary name and moved, under
 * a file lock, so that concurrent test JVMs fetch it once).
 */
public final class ChdbLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(ChdbLibrary.class);

    public static final String VERSION = "26.7.3-stable.1";
    static final String PACKAGE = "@chdb/lib-linux-x64-gnu";
    static final String INTEGRITY =
            "sha512-XP97mMqnc5tZpKQywR8N7cLTsHNiTmHr30pC5mzo3jWmukjKn2IBa60c2B/gWUNcuFjOMjWoorQICCqBVj5wpw==";
    static final String LIBRARY_VARIABLE = "CHDB_LIBRARY";
    static final String LIBRARY_PROPERTY = "schemaevolution.chdb.library";
    private static final String MEMBER = "package/libchdb.so";

    /** What a test run can do when no engine is found; part of every failure message. */
    public static final String HOW_TO_PROVIDE = "Provide ClickHouse in one of these ways: "
            + "(1) have npm on the PATH: the embedded engine (" + PACKAGE + "@" + VERSION + ", about 180 MB) is fetched once into "
            + "~/.cache/schema-evolution/chdb/; "
            + "(2) point " + LIBRARY_VARIABLE + " (or -D" + LIBRARY_PROPERTY + ") at an existing libchdb.so; "
            + "(3) set SCHEMA_EVOLUTION_CLICKHOUSE_URL (or -Dschemaevolution.clickhouse.url) to a running server, "
            + "e.g. http://localhost:8123; "
            + "(4) with Docker and org.testcontainers:clickhouse on the test class path, "
            + "run with -Dschemaevolution.clickhouse=testcontainers.";

    private ChdbLibrary() {
    }

    /**
     * The library to load, fetching it into the cache if needed.
     *
     * @throws IllegalStateException if there is none and it cannot be fetched; the message lists
     *                               the ways to provide ClickHouse ({@link #HOW_TO_PROVIDE})
     */
    public static synchronized Path locate() {
        // the property first: it is the more specific, per-run choice
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(LIBRARY_VARIABLE);
        }
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(LIBRARY_VARIABLE + " (or -D" + LIBRARY_PROPERTY + ") names " + path
                        + ", which is not a file. " + HOW_TO_PROVIDE);
            }
            return path;
        }
        Path cached = cacheDirectory().resolve("libchdb.so");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        if (!isSupportedPlatform()) {
            throw new IllegalStateException("the embedded ClickHouse engine (" + PACKAGE + ") exists for Linux on x86-64 (glibc) only, not for "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch") + ". " + HOW_TO_PROVIDE);
        }
        return fetch(cached);
    }

    private static boolean isSupportedPlatform() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("schema-evolution").resolve("chdb").resolve(VERSION);
    }

    private static Path fetch(Path target) {
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel lockFile = FileChannel.open(target.resolveSibling(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockFile.lock(); // held until the channel closes; another JVM fetching waits here, then finds the library
                if (Files.isRegularFile(target)) {
                    return target;
                }
                long start = System.nanoTime();
                Path work = Files.createTempDirectory(target.getParent(), "fetch");
                try {
                    Path tarball = npmPack(work);
                    extract(tarball, MEMBER, INTEGRITY, target);
                } finally {
                    deleteRecursively(work);
                }
                LOG.info("fetched chDB {} into {} in {} s", VERSION, target, (System.nanoTime() - start) / 1_000_000_000);
                return target;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch the embedded ClickHouse engine: " + e.getMessage() + ". " + HOW_TO_PROVIDE, e);
        }
    }

    private static Path npmPack(Path work) throws IOException {
        LOG.info("fetching {}@{} with npm (about 180 MB, once)", PACKAGE, VERSION);
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "pack", PACKAGE + "@" + VERSION, "--silent")
                    .directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("npm.log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("npm is not on the PATH (" + e.getMessage() + ")", e);
        }
        try {
            // a line every 10 s, so that a first build that seems to hang says what it is waiting for
            long begin = System.nanoTime();
            long cacheBefore = npmCacheBytes();
            while (!npm.waitFor(10, TimeUnit.SECONDS)) {
                long seconds = (System.nanoTime() - begin) / 1_000_000_000;
                if (seconds >= 20 * 60) {
                    npm.destroyForcibly();
                    throw new IOException("npm pack did not finish within 20 minutes");
                }
                long mb = Math.max(0, npmCacheBytes() - cacheBefore) >> 20;
                double rate = (double) mb / seconds;
                LOG.info("fetching chDB: {} of about 180 MB in {} s, {} MB/s{}", Math.min(mb, 180), seconds,
                        String.format(java.util.Locale.ROOT, "%.1f", rate),
                        rate > 0 && mb < 180 ? ", about " + Math.round((180 - mb) / rate) + " s left" : "");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            npm.destroyForcibly();
            throw new IOException("interrupted while fetching chDB", e);
        }
        String log = Files.readString(work.resolve("npm.log"), StandardCharsets.UTF_8).strip();
        if (npm.exitValue() != 0) {
            throw new IOException("npm pack failed with exit code " + npm.exitValue() + ": " + log);
        }
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException("npm pack wrote no tarball: " + log));
        }
    }

    /** The bytes in npm's content cache, where a download lands as it arrives (0 when there is none). */
    private static long npmCacheBytes() {
        Path cache = Path.of(System.getProperty("user.home"), ".npm", "_cacache");
        if (!Files.isDirectory(cache)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * Writes {@code member} of the gzipped tarball to {@code target} if the tarball's SHA-512 is
     * {@code integrity} (npm's {@code sha512-<base64>} form). The digest is taken while reading, so
     * the tarball is read once; the member goes to a temporary name and is moved into place only
     * after the check, so {@code target} never holds unverified or partial content.
     */
    static void extract(Path tarball, String member, String integrity, Path target) throws IOException {
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every Java platform", e);
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            boolean found = false;
            try (DigestInputStream digesting = new DigestInputStream(Files.newInputStream(tarball), sha512);
                 InputStream tar = new GZIPInputStream(digesting, 1 << 16)) {
                byte[] header = new byte[512];
                while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                    String name = field(header, 0, 100);
                    String prefix = field(header, 345, 155);
                    String path = prefix.isEmpty() ? name : prefix + "/" + name;
                    long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                    long padded = (size + 511) / 512 * 512;
                    if (path.equals(member)) {
                        try (OutputStream out = Files.newOutputStream(partial)) {
                            copy(tar, out, size, member);
                        }
                        tar.skipNBytes(padded - size);
                        found = true;
                    } else {
                        tar.skipNBytes(padded);
                    }
                }
                tar.transferTo(OutputStream.nullOutputStream());
                while (digesting.read() >= 0) {
                    // read the rest of the compressed stream so that the digest covers the whole file
                }
            }
            String actual = "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
            if (!actual.equals(integrity)) {
                throw new IOException("integrity check failed for " + tarball.getFileName() + ": expected " + integrity
                        + ", got " + actual);
            }
            if (!found) {
                throw new IOException(member + " is missing from " + tarball.getFileName());
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void copy(InputStream in, OutputStream out, long size, String member) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("tarball ends inside " + member);
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
