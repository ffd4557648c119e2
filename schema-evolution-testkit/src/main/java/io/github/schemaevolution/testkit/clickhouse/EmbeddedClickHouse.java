package io.github.schemaevolution.testkit.clickhouse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real ClickHouse 26.7 (chDB) in a child process, serving the ClickHouse HTTP interface on a free
 * loopback port, for tests and examples on machines without Docker or a server.
 *
 * <p>Each instance has its own process and data directory (chDB binds one storage path per
 * process), so several can run side by side, for example as the hosts of a multi-host test. A
 * crash of the engine ends the child, never the test JVM; the next request then fails to connect,
 * {@link #checkAlive()} and {@link #close()} name the process, its exit status and the end of its
 * error output. The child exits by itself when this JVM ends.
 *
 * <pre>{@code
 * try (EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start()) {
 *     DataSource dataSource = clickhouse.dataSource();   // needs a ClickHouse JDBC driver on the class path
 *     String url = clickhouse.httpEndpoint();            // for client-v2: new Client.Builder().addEndpoint(url)
 * }
 * }</pre>
 */
public final class EmbeddedClickHouse implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedClickHouse.class);
    private static final int STDERR_TAIL_LINES = 20;

    private final Process process;
    private final Path home;
    private final Path log;
    private final int port;
    private final String version;
    private final boolean keepData;
    private volatile boolean closing;

    private EmbeddedClickHouse(Process process, Path home, Path log, int port, String version, boolean keepData) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.port = port;
        this.version = version;
        this.keepData = keepData;
        process.onExit().thenAccept(exited -> {
            if (!closing) {
                LOG.error("{}", deathNotice());
            }
        });
    }

    /** Starts an instance on a fresh temporary directory, removed on {@link #close()}. */
    public static EmbeddedClickHouse start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint for client-v2 and any HTTP client. */
    public String httpEndpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A JDBC URL for {@code com.clickhouse:clickhouse-jdbc} on the {@code default} database. */
    public String jdbcUrl() {
        return jdbcUrl("default");
    }

    public String jdbcUrl(String database) {
        return "jdbc:clickhouse:http://127.0.0.1:" + port + "/" + database;
    }

    /** Connections through whichever ClickHouse JDBC driver is on the class path. */
    public DataSource dataSource() {
        return dataSource("default");
    }

    public DataSource dataSource(String database) {
        return new UrlDataSource(jdbcUrl(database), "default", "");
    }

    public String version() {
        return version;
    }

    public long pid() {
        return process.pid();
    }

    public Path dataDirectory() {
        return home.resolve("data");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Throws, naming the process and why it ended, if the engine is no longer running. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(deathNotice());
        }
    }

    /**
     * Runs one statement over HTTP and returns its output as text; a failure is an
     * {@link IllegalStateException} carrying ClickHouse's message. For set-up and checks in tests;
     * applications use a client.
     */
    public String query(String sql) {
        checkAlive();
        try {
            return ClickHouseHttp.query(httpEndpoint(), "default", "", sql);
        } catch (IOException e) {
            throw new IllegalStateException(process.isAlive() ? "cannot reach the embedded ClickHouse: " + e.getMessage()
                    : deathNotice(), e);
        }
    }

    /**
     * Waits for pending mutations (chDB 26.7 aborts at exit while one is pending, and then cannot
     * open that directory again), stops the child and removes the data unless it is to be kept.
     *
     * @throws IllegalStateException if the child had died before, after cleaning up
     */
    @Override
    public void close() {
        boolean diedBefore = !process.isAlive();
        closing = true;
        try {
            if (!diedBefore) {
                awaitMutations(Duration.ofSeconds(60));
                process.getOutputStream().close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    LOG.warn("embedded ClickHouse (pid {}) did not stop within 30 s; killing it", pid());
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                LOG.info("embedded ClickHouse (pid {}) stopped", pid());
            }
        } catch (IOException e) {
            LOG.warn("closing the embedded ClickHouse's input failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            String notice = diedBefore ? deathNotice() : null;
            if (!keepData) {
                deleteQuietly(home);
            }
            if (notice != null) {
                throw new IllegalStateException(notice);
            }
        }
    }

    private void awaitMutations(Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        try {
            while (!query("SELECT count() FROM system.mutations WHERE NOT is_done").strip().equals("0")) {
                if (Instant.now().isAfter(deadline)) {
                    LOG.warn("mutations still pending after {}; stopping anyway", limit);
                    return;
                }
                Thread.sleep(50);
            }
        } catch (IllegalStateException e) {
            LOG.warn("cannot check pending mutations: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String deathNotice() {
        String status = process.isAlive() ? "is still running" : exitStatus(process.exitValue());
        return "the embedded ClickHouse process (pid " + pid() + ") " + status + "; last lines of its error output ("
                + log + "):\n" + tail(log);
    }

    private static String exitStatus(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            String name = Map.of(6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM").getOrDefault(signal, "signal");
            return "was killed by signal " + signal + " (" + name + ", exit code " + code + ")";
        }
        return "exited with code " + code;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            ChdbLibrary.deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", directory, e.getMessage());
        }
    }

    /** Options of an instance; all have defaults. */
    public static final class Builder {
        private Path home;
        private boolean keepData;
        private Duration startupTimeout = Duration.ofMinutes(2);
        private Path library;

        private Builder() {
        }

        /** Where the data directory and the log go; a fresh temporary directory by default. It must not hold data of an earlier run. */
        public Builder home(Path directory) {
            this.home = directory;
            return this;
        }

        /** Keep the data directory and log after {@link #close()}, for a post-mortem. */
        public Builder keepData(boolean keep) {
            this.keepData = keep;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** The chDB library to load; by default {@link ChdbLibrary#locate()}. */
        public Builder library(Path libchdb) {
            this.library = libchdb;
            return this;
        }

        public EmbeddedClickHouse start() {
            Path libchdb = library != null ? library : ChdbLibrary.locate();
            long begin = System.nanoTime();
            Path directory;
            try {
                directory = home != null ? Files.createDirectories(home) : Files.createTempDirectory("schema-evolution-chdb-");
                Files.createDirectories(directory.resolve("data"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the embedded ClickHouse's directory: " + e.getMessage(), e);
            }
            Path log = directory.resolve("server.log");
            Process process = launch(libchdb, directory, log);
            String[] ready;
            try {
                ready = awaitReady(process, log);
            } catch (RuntimeException e) {
                process.destroyForcibly();
                if (!keepData) {
                    deleteQuietly(directory);
                }
                throw e;
            }
            EmbeddedClickHouse clickhouse = new EmbeddedClickHouse(process, directory, log,
                    Integer.parseInt(ready[1]), ready.length > 2 ? ready[2] : "", keepData);
            LOG.info("embedded ClickHouse {} (chDB, pid {}) ready in {} ms at {}, resident memory {}",
                    clickhouse.version(), process.pid(), (System.nanoTime() - begin) / 1_000_000, clickhouse.httpEndpoint(),
                    residentMemory(process.pid()));
            return clickhouse;
        }

        private static Process launch(Path libchdb, Path directory, Path log) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // nodelay: the JDK HTTP server writes headers and body separately, and with Nagle's algorithm
            // against the client's delayed ACK every response would wait 40 ms
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-Xss4m",
                    "-Dsun.net.httpserver.nodelay=true",
                    "-cp", System.getProperty("java.class.path"), ChdbServer.class.getName(),
                    libchdb.toString(), directory.resolve("data").toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            // HotSpot's signal chaining: should native code replace a handler the JVM relies on
            // (SIGSEGV for null checks and safepoints), the JVM keeps its own and chains to the other
            Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
            if (Files.isRegularFile(jsig)) {
                builder.environment().put("LD_PRELOAD", jsig.toString());
            }
            try {
                return builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + java + ": " + e.getMessage(), e);
            }
        }

        private String[] awaitReady(Process process, Path log) {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String next; (next = out.readLine()) != null; ) {
                        if (next.startsWith(ChdbServer.READY + " ")) {
                            return next;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            });
            try {
                String ready = line.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (ready == null) {
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new IllegalStateException("the embedded ClickHouse process (pid " + process.pid() + ") "
                            + (process.isAlive() ? "closed its output" : exitStatus(process.exitValue()))
                            + " before it was ready; last lines of its error output:\n" + tail(log));
                }
                return ready.split(" ");
            } catch (TimeoutException e) {
                throw new IllegalStateException("the embedded ClickHouse was not ready within " + startupTimeout
                        + "; last lines of its error output:\n" + tail(log), e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot read the embedded ClickHouse's output", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the embedded ClickHouse", e);
            }
        }

        private static String residentMemory(long pid) {
            try {
                return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                        .filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
