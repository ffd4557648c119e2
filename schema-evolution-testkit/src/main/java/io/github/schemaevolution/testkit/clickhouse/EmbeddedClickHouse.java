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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real ClickHouse 26.7 (chDB) in a child process, serving the ClickHouse HTTP interface on a free
 * loopback port, for tests and examples on machines without Docker or a server.
 *
 * <p>Each instance has its own process and a fresh directory (chDB binds one storage path per
 * process), so several can run side by side, for example as the hosts of a multi-host test. The
 * official clients ({@code com.clickhouse:client-v2}, {@code com.clickhouse:clickhouse-jdbc}) talk
 * to it unchanged; statements are executed one at a time (see {@code CLICKHOUSE.md}).
 *
 * <p>A crash of the engine ends the child, never the test JVM. From then on every request to the
 * endpoint, through any client, fails at once with HTTP 500 and a message naming the process, its
 * exit status or signal and the end of its error output; {@link #checkAlive()}, {@link #query} and
 * {@link #close()} throw with the same message. The child exits by itself when this JVM ends, and
 * an instance that was never closed is stopped and removed by a shutdown hook.
 *
 * <pre>{@code
 * try (EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start()) {
 *     String url = clickhouse.httpEndpoint();   // client-v2: new Client.Builder().addEndpoint(url)
 *     String jdbc = clickhouse.jdbcUrl();       // clickhouse-jdbc: DriverManager.getConnection(jdbc, "default", "")
 * }
 * }</pre>
 */
public final class EmbeddedClickHouse implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedClickHouse.class);
    private static final int STDERR_TAIL_LINES = 20;
    private static final Duration MUTATIONS_LIMIT = Duration.ofSeconds(60);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path home;
    private final Path log;
    private final int port;
    private final String version;
    private final boolean keepData;
    private final Thread shutdownHook = new Thread(this::closeAtShutdown, "embedded-clickhouse-shutdown");
    private final CompletableFuture<EmbeddedClickHouse> exited;

    /** Guards {@link #closed} and {@link #responder}: a responder is never opened once closing began. */
    private final Object lifecycle = new Object();
    private boolean closed;
    private DeadEngineResponder responder;

    private EmbeddedClickHouse(Process process, Path home, Path log, int port, String version, boolean keepData) {
        this.process = process;
        this.home = home;
        this.log = log;
        this.port = port;
        this.version = version;
        this.keepData = keepData;
        this.exited = process.onExit().thenApply(ended -> {
            reportUnexpectedExit();
            return this;
        });
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts an instance on a fresh temporary directory, removed on {@link #close()}. */
    public static EmbeddedClickHouse start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint for client-v2 and any HTTP client (user {@code default}, no password). */
    public String httpEndpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A JDBC URL for {@code com.clickhouse:clickhouse-jdbc} on the {@code default} database. */
    public String jdbcUrl() {
        return jdbcUrl("default");
    }

    /** A JDBC URL for {@code com.clickhouse:clickhouse-jdbc} whose connections use {@code database}. */
    public String jdbcUrl(String database) {
        return "jdbc:clickhouse:http://127.0.0.1:" + port + "/" + database;
    }

    /** Connections to the {@code default} database through whichever ClickHouse JDBC driver is on the class path. */
    public DataSource dataSource() {
        return dataSource("default");
    }

    /** Connections to {@code database} through whichever ClickHouse JDBC driver is on the class path. */
    public DataSource dataSource(String database) {
        return UrlDataSource.of(jdbcUrl(database), "default", "");
    }

    /** The version the engine reports, e.g. {@code 26.7.2.1}. */
    public String version() {
        return version;
    }

    /** The process id of the child that runs the engine. */
    public long pid() {
        return process.pid();
    }

    /** The engine's storage path; its parent holds {@code server.log}, the child's error output. */
    public Path dataDirectory() {
        return home.resolve("data");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Completes when the child process has ended; if it ended before {@link #close()}, only once
     * the death has been logged and the endpoint answers every request with the reason.
     */
    public CompletableFuture<EmbeddedClickHouse> onExit() {
        return exited.copy();
    }

    /** Throws, naming the process and why it ended, if the engine is no longer running. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(deathNotice());
        }
    }

    /**
     * Runs one statement over HTTP and returns its output as text (TabSeparated unless the
     * statement says {@code FORMAT}). For set-up and checks in tests; applications use a client.
     *
     * @throws IllegalStateException with ClickHouse's message if the statement fails, or the
     *                               death notice if the engine is gone
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
     * Waits for pending mutations (chDB 26.7.3 aborts at exit while one is pending, and then cannot
     * open that directory again), stops the child and removes its directory unless it is to be
     * kept. Calling it again does nothing.
     *
     * @throws IllegalStateException if the child had died before, after cleaning up; the message
     *                               names the process, its exit status and its last error output
     */
    @Override
    public void close() {
        boolean diedBefore;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            diedBefore = !process.isAlive();
            if (responder != null) {
                responder.close();
                responder = null;
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called by the hook itself, or the JVM is exiting anyway
        }
        String notice = diedBefore ? deathNotice() : null;
        try {
            if (!diedBefore) {
                stop();
            }
        } finally {
            if (!keepData) {
                deleteQuietly(home);
            }
        }
        if (notice != null) {
            throw new IllegalStateException(notice);
        }
    }

    private void stop() {
        awaitMutations();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("embedded ClickHouse (pid {}) did not stop within {}; killing it", pid(), STOP_LIMIT);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            LOG.warn("closing the embedded ClickHouse's input failed; killing it", e);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (!process.isAlive() && process.exitValue() != 0) {
            LOG.warn("{}", deathNotice());
        } else {
            LOG.info("embedded ClickHouse (pid {}) stopped", pid());
        }
    }

    /** Polls, since ClickHouse has no statement that waits for all mutations of a server. */
    private void awaitMutations() {
        Instant deadline = Instant.now().plus(MUTATIONS_LIMIT);
        try {
            while (!query("SELECT count() FROM system.mutations WHERE NOT is_done").strip().equals("0")) {
                if (Instant.now().isAfter(deadline)) {
                    LOG.warn("mutations still pending after {}; stopping anyway", MUTATIONS_LIMIT);
                    return;
                }
                Thread.sleep(50);
            }
        } catch (RuntimeException | LinkageError e) {
            // stop the child all the same
            LOG.warn("cannot check pending mutations: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reportUnexpectedExit() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            String notice = deathNotice();
            LOG.error("{}", notice);
            responder = DeadEngineResponder.listen(port, notice).orElse(null);
        }
    }

    private void closeAtShutdown() {
        try {
            close();
        } catch (RuntimeException e) {
            // the death was logged when it happened; the JVM is exiting
        }
    }

    private String deathNotice() {
        String status = process.isAlive() ? "is still running" : exitStatus(process.exitValue());
        return "the embedded ClickHouse process (pid " + pid() + ") " + status + errorOutput(log);
    }

    private static String errorOutput(Path log) {
        String tail = tail(log);
        return tail.isBlank() ? "; it wrote no error output (" + log + ")"
                : "; last lines of its error output (" + log + "):\n" + tail;
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

    /** The child's resident memory from {@code /proc/<pid>/status}, e.g. {@code 252456 kB}. */
    static String residentMemory(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unknown";
        }
    }

    @Override
    public String toString() {
        return "EmbeddedClickHouse[pid " + pid() + ", " + httpEndpoint() + ", " + home + "]";
    }

    /** Options of an instance; all have defaults. */
    public static final class Builder {
        private Path home;
        private boolean keepData;
        private Duration startupTimeout = Duration.ofMinutes(2);
        private Path library;

        private Builder() {
        }

        /**
         * The instance's directory: the engine's data in {@code data/}, the child's error output in
         * {@code server.log}. A fresh temporary directory by default. It must not hold data: chDB
         * 26.7.3 can abort on a directory another process left, so every instance starts afresh.
         */
        public Builder home(Path directory) {
            this.home = directory;
            return this;
        }

        /** Keep the directory (data and log) after {@link #close()}, for a post-mortem. */
        public Builder keepData(boolean keep) {
            this.keepData = keep;
            return this;
        }

        /** How long the child may take to serve (two minutes by default); it is killed after that. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** The chDB library to load; by default {@link ChdbLibrary#locate()}. */
        public Builder library(Path libchdb) {
            this.library = libchdb;
            return this;
        }

        /**
         * Starts the child and waits until it serves.
         *
         * @throws IllegalStateException if there is no engine (the message lists the ways to provide
         *                               one), the directory holds data, or the child does not come up
         *                               (the message holds the end of its error output)
         */
        public EmbeddedClickHouse start() {
            Path libchdb = library != null ? library : ChdbLibrary.locate();
            long begin = System.nanoTime();
            Path directory = freshDirectory();
            Path log = directory.resolve("server.log");
            Process process = launch(libchdb, directory, log);
            String[] ready;
            try {
                ready = awaitReady(process, log);
            } catch (RuntimeException e) {
                killQuietly(process);
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

        private Path freshDirectory() {
            try {
                Path directory = home != null ? Files.createDirectories(home) : Files.createTempDirectory("schema-evolution-chdb-");
                Path data = directory.resolve("data");
                if (Files.isDirectory(data)) {
                    try (Stream<Path> entries = Files.list(data)) {
                        if (entries.findAny().isPresent()) {
                            throw new IllegalStateException(data + " holds data of an earlier run; the embedded ClickHouse starts on a"
                                    + " fresh directory only (chDB 26.7.3 can abort on a directory another process left)");
                        }
                    }
                }
                Files.createDirectories(data);
                return directory;
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the embedded ClickHouse's directory: " + e.getMessage(), e);
            }
        }

        private static Process launch(Path libchdb, Path directory, Path log) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // the heap holds one response at a time (results are copied out of chDB whole); C1 only and the
            // serial collector: the child is short-lived and shares two cores with the tests.
            // nodelay: the JDK HTTP server writes headers and body separately, and with Nagle's algorithm
            // against the client's delayed ACK every response would wait 40 ms
            List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dsun.net.httpserver.nodelay=true",
                    "-cp", System.getProperty("java.class.path"), ChdbServer.class.getName(),
                    libchdb.toString(), directory.resolve("data").toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            // HotSpot's signal chaining: should native code replace a handler the JVM relies on
            // (SIGSEGV for null checks and safepoints), the JVM keeps its own and chains to the other
            Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
            if (Files.isRegularFile(jsig)) {
                String preload = builder.environment().get("LD_PRELOAD");
                builder.environment().put("LD_PRELOAD", preload == null || preload.isBlank() ? jsig.toString() : jsig + ":" + preload);
            }
            try {
                return builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + java + ": " + e.getMessage(), e);
            }
        }

        /** The READY line's words, read by a thread that goes on draining the child's output, so that it never blocks on a full pipe. */
        private String[] awaitReady(Process process, Path log) {
            CompletableFuture<Optional<String>> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> drainOutput(process, ready), "embedded-clickhouse-" + process.pid() + "-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                Optional<String> line = ready.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line.isEmpty()) {
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new IllegalStateException("the embedded ClickHouse process (pid " + process.pid() + ") "
                            + (process.isAlive() ? "closed its output" : exitStatus(process.exitValue()))
                            + " before it was ready" + errorOutput(log));
                }
                return line.get().split(" ");
            } catch (TimeoutException e) {
                throw new IllegalStateException("the embedded ClickHouse process (pid " + process.pid() + ") was not ready within "
                        + startupTimeout + errorOutput(log), e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot read the embedded ClickHouse's output", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the embedded ClickHouse", e);
            }
        }

        private static void drainOutput(Process process, CompletableFuture<Optional<String>> ready) {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (!ready.isDone() && line.startsWith(ChdbServer.READY + " ")) {
                        ready.complete(Optional.of(line));
                    } else {
                        LOG.debug("[pid {}] {}", process.pid(), line);
                    }
                }
            } catch (IOException e) {
                LOG.debug("reading the output of pid {} ended: {}", process.pid(), e.getMessage());
            } finally {
                ready.complete(Optional.empty());
            }
        }

        private static void killQuietly(Process process) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
