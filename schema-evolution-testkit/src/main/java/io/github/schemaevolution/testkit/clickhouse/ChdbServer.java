package io.github.schemaevolution.testkit.clickhouse;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The child process of {@link EmbeddedClickHouse}: loads chDB, opens its data directory and serves
 * the ClickHouse HTTP interface on a free loopback port. It prints one line,
 * {@code READY <port> <version>}, when it accepts requests, and exits when its standard input
 * closes, so that a parent that dies never leaves it behind.
 *
 * <p>Arguments: the path of {@code libchdb.so} and the data directory.
 */
public final class ChdbServer {
    static final String READY = "READY";
    private static final long WORKER_STACK_BYTES = 16L << 20;

    private ChdbServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ChdbServer <libchdb.so> <data directory>");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        ChdbNative chdb = ChdbNative.load(args[0]);
        // before connecting: chDB's own crash handlers would take SIGSEGV from the JVM, which uses it
        // for null checks and safepoints, and the first NullPointerException would hang the process
        chdb.chdb_set_signal_handlers_enabled(0);
        ChdbEngine engine = new ChdbEngine(chdb, args[1]);
        String timezone = engine.query("SELECT timezone()", "TabSeparatedRaw").text().strip();
        String version = engine.query("SELECT version()", "TabSeparatedRaw").text().strip();

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        // requests wait for the engine one at a time (ChdbEngine); threads only overlap their I/O.
        // Large stacks: whatever of a statement runs on the calling thread, ClickHouse's parser recurses deeply
        ExecutorService workers = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(null, runnable, "chdb-http", WORKER_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(workers);
        server.createContext("/", new ChdbHttpHandler(engine, timezone, version));
        server.start();
        out.println(READY + " " + server.getAddress().getPort() + " " + version);

        waitForEndOfInput(System.in);
        server.stop(0);
        workers.shutdownNow();
        engine.close();
        out.println("STOPPED");
        System.exit(0);
    }

    private static void waitForEndOfInput(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // the parent only ever closes the stream; anything written is ignored
        }
    }
}
