package io.github.schemaevolution.testkit.clickhouse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Takes over the port of an embedded engine that died and answers every request with why: HTTP
 * 500, {@code Code: 279. DB::Exception: the embedded ClickHouse process (pid N) was killed by
 * signal 9 ...}. Without it, clients would only see "connection refused" and client-v2 would retry
 * first; with it, the next request of any client fails at once and names the process, its exit
 * status and the end of its error output. Code 279 (ALL_CONNECTION_TRIES_FAILED) is one the
 * clients do not retry.
 */
final class DeadEngineResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadEngineResponder.class);
    static final int CODE = 279;

    private final HttpServer server;

    private DeadEngineResponder(HttpServer server) {
        this.server = server;
    }

    /** Listens on the dead engine's port; empty if the port is taken already (then clients see connection refused). */
    static Optional<DeadEngineResponder> listen(int port, String notice) {
        byte[] body = ("Code: " + CODE + ". DB::Exception: " + notice + ". (ALL_CONNECTION_TRIES_FAILED)\n")
                .getBytes(StandardCharsets.UTF_8);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            server.createContext("/", exchange -> refuse(exchange, body));
            startAsDaemon(server);
            return Optional.of(new DeadEngineResponder(server));
        } catch (IOException e) {
            LOG.warn("cannot listen on port {} to report the dead engine: {}", port, e.getMessage());
            return Optional.empty();
        }
    }

    /** The server's dispatcher thread inherits the starting thread's daemon flag; it must not keep the JVM alive. */
    private static void startAsDaemon(HttpServer server) {
        Thread starter = new Thread(server::start, "chdb-dead-engine-responder");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void refuse(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange; InputStream request = exchange.getRequestBody()) {
            // read what the client sends, so that it sees the answer rather than a reset connection
            request.transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
            exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(CODE));
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
