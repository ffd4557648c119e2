package io.github.schemaevolution.testkit.clickhouse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClickHouse HTTP interface, as far as the official Java clients use it, translated into chDB
 * calls.
 *
 * <ul>
 *   <li>The statement comes in the {@code query} parameter or the body; with the {@code query}
 *       parameter, the body continues it (the data of an INSERT). {@code INSERT ... FORMAT f} in
 *       the {@code query} parameter streams the body through chDB's insert stream, so binary data
 *       arrives whole (inline, chDB would cut it at the first blank line).</li>
 *   <li>{@code param_*} parameters are bound by the engine ({@code {x:UInt32}}), never spliced.</li>
 *   <li>{@code database} (or {@code X-ClickHouse-Database}) and every other parameter that names a
 *       setting apply to that request only, as on a server without sessions: chDB has one session,
 *       so each request first restores what an earlier one changed, including by {@code USE} or
 *       {@code SET} statements of its own.</li>
 *   <li>{@code compress}/{@code decompress} use ClickHouse's LZ4 block framing.</li>
 *   <li>Errors come back as HTTP 500 with the {@code Code: N. DB::Exception: ...} body and the
 *       {@code X-ClickHouse-Exception-Code} header the clients parse.</li>
 * </ul>
 *
 * <p>Requests arrive on several threads; everything that touches the engine or the session state
 * below runs inside {@link ChdbEngine#exclusive}.
 */
final class ChdbHttpHandler implements HttpHandler {
    private static final Pattern FORMAT_AT_END = Pattern.compile("(?is)^(.*?)\\s+FORMAT\\s+([A-Za-z0-9_]+)\\s*;?\\s*$");
    private static final Pattern INSERT_WITH_FORMAT =
            Pattern.compile("(?is)^\\s*(INSERT\\s+INTO\\s.*?)\\s+FORMAT\\s+([A-Za-z0-9_]+)\\s*;?\\s*$");
    private static final Pattern USE_STATEMENT = Pattern.compile("(?is)^\\s*USE\\s.*");
    private static final Pattern SET_STATEMENT = Pattern.compile("(?is)^\\s*SET\\s.*");
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final byte[] OK = "Ok.\n".getBytes(StandardCharsets.UTF_8);

    /**
     * Parameters of the HTTP protocol itself, never engine settings; {@code readonly} too, since a
     * read-only session could not be reset for the next request.
     */
    private static final Set<String> PROTOCOL = Set.of("query", "database", "default_format", "compress", "decompress",
            "query_id", "session_id", "session_timeout", "session_check", "user", "password", "quota_key",
            "client_protocol_version", "wait_end_of_query", "send_progress_in_http_headers",
            "http_headers_progress_interval_ms", "enable_http_compression", "http_zlib_compression_level",
            "cancel_http_readonly_queries_on_client_close", "buffer_size", "http_response_buffer_size",
            "extremes", "role", "http_native_compression_disable_checksumming_on_decompress", "readonly");

    private final ChdbEngine engine;
    private final String timezone;
    private final String version;

    // session state, guarded by the engine's lock
    /** The session's current database, or null when a statement may have changed it. */
    private String currentDatabase = "default";
    /** Every setting's value at start-up; a name missing here is not a setting, and is ignored like a protocol parameter. */
    private final Map<String, String> initial;
    /** Settings the session holds at a value other than the initial one. */
    private final Map<String, String> changed = new HashMap<>();

    ChdbHttpHandler(ChdbEngine engine, String timezone, String version) throws ChdbEngine.Failure {
        this.engine = engine;
        this.timezone = timezone;
        this.version = version;
        this.initial = settings(engine);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                serve(exchange);
            } catch (OutOfMemoryError e) {
                // a result is copied into the heap whole; the copy that failed is garbage already
                if (exchange.getResponseCode() < 0) {
                    fail(exchange, new ChdbEngine.Failure("Code: 173. DB::Exception: the result does not fit in the embedded"
                            + " server's heap (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB). (CANNOT_ALLOCATE_MEMORY)"),
                            UUID.randomUUID().toString());
                }
            } catch (RuntimeException | LinkageError e) {
                // answer rather than drop the connection, which clients would retry
                System.err.println("request failed: " + e);
                e.printStackTrace();
                if (exchange.getResponseCode() < 0) {
                    fail(exchange, new ChdbEngine.Failure("Code: 1001. DB::Exception: the embedded server failed: " + e
                            + ". (STD_EXCEPTION)"), UUID.randomUUID().toString());
                }
            }
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        Map<String, String> params = parameters(exchange.getRequestURI().getRawQuery());
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/ping") || path.equals("/replicas_status")) {
            respond(exchange, 200, OK, false, "TabSeparated");
            return;
        }
        Headers headers = exchange.getRequestHeaders();
        String database = params.getOrDefault("database", headers.getFirst("X-ClickHouse-Database"));
        String format = params.getOrDefault("default_format", headers.getFirst("X-ClickHouse-Format"));
        Request request = new Request(database == null ? "default" : database, format == null ? "TabSeparated" : format,
                params.getOrDefault("query_id", UUID.randomUUID().toString()), params);
        try (InputStream body = "1".equals(params.get("decompress"))
                ? Lz4Framing.decompressing(exchange.getRequestBody()) : exchange.getRequestBody()) {
            String head = params.get("query");
            Matcher insert = INSERT_WITH_FORMAT.matcher(head == null ? "" : head);
            ChdbEngine.Result result;
            String responseFormat;
            if (insert.matches()) {
                responseFormat = insert.group(2);
                result = engine.exclusive(() -> {
                    prepareSession(request);
                    return engine.insert(insert.group(1), insert.group(2), body);
                });
            } else {
                String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                String sql = head == null ? rest : rest.isEmpty() ? head : head + "\n" + rest;
                if (sql.isBlank()) {
                    respond(exchange, 200, OK, false, "TabSeparated");
                    return;
                }
                responseFormat = formatOf(sql, request.format);
                result = engine.exclusive(() -> {
                    prepareSession(request);
                    ChdbEngine.Result executed = engine.query(sql, request.format, request.queryParameters);
                    noteSessionChanges(sql);
                    return executed;
                });
            }
            exchange.getResponseHeaders().set("X-ClickHouse-Query-Id", request.queryId);
            exchange.getResponseHeaders().set("X-ClickHouse-Summary", summary(result));
            respond(exchange, 200, result.data(), "1".equals(params.get("compress")), responseFormat);
        } catch (ChdbEngine.Failure failure) {
            fail(exchange, failure, request.queryId);
        }
    }

    /** What a request asks for besides its statement. */
    private static final class Request {
        final String database;
        final String format;
        final String queryId;
        final Map<String, String> queryParameters = new LinkedHashMap<>();
        final Map<String, String> settings = new LinkedHashMap<>();

        Request(String database, String format, String queryId, Map<String, String> params) {
            this.database = database;
            this.format = format;
            this.queryId = queryId;
            params.forEach((name, value) -> {
                if (name.startsWith("param_")) {
                    queryParameters.put(name.substring("param_".length()), value);
                } else if (!PROTOCOL.contains(name) && SETTING_NAME.matcher(name).matches()) {
                    settings.put(name, value);
                }
            });
        }
    }

    private void prepareSession(Request request) throws ChdbEngine.Failure {
        useDatabase(request.database);
        applySettings(request.settings);
    }

    private void useDatabase(String database) throws ChdbEngine.Failure {
        if (!database.equals(currentDatabase)) {
            if (!SETTING_NAME.matcher(database).matches()) {
                throw new ChdbEngine.Failure("Code: 81. DB::Exception: Database " + database + " does not exist. (UNKNOWN_DATABASE)");
            }
            currentDatabase = null;
            engine.query("USE `" + database + "`", "TabSeparated");
            currentDatabase = database;
        }
    }

    /**
     * Makes the session's settings those of this request: settings an earlier request changed go
     * back to their initial values, requested ones are set. Clients send the same few settings
     * with every request (JDBC sends {@code async_insert=0}), so only changes cost a statement.
     */
    private void applySettings(Map<String, String> requested) throws ChdbEngine.Failure {
        for (String name : new ArrayList<>(changed.keySet())) {
            if (!requested.containsKey(name)) {
                engine.query("SET " + name + " = " + literal(initial.get(name)), "TabSeparated");
                changed.remove(name);
            }
        }
        for (Map.Entry<String, String> setting : requested.entrySet()) {
            String name = setting.getKey();
            String initialValue = initial.get(name);
            if (initialValue == null) {
                continue;
            }
            String value = setting.getValue();
            if (!value.equals(changed.getOrDefault(name, initialValue))) {
                engine.query("SET " + name + " = " + literal(value), "TabSeparated");
                if (value.equals(initialValue)) {
                    changed.remove(name);
                } else {
                    changed.put(name, value);
                }
            }
        }
    }

    /** After a client's own {@code USE} or {@code SET}, finds out what changed, so that the next request starts clean. */
    private void noteSessionChanges(String sql) throws ChdbEngine.Failure {
        if (USE_STATEMENT.matcher(sql).matches()) {
            currentDatabase = null;
        } else if (SET_STATEMENT.matcher(sql).matches()) {
            settings(engine).forEach((name, value) -> {
                String initialValue = initial.get(name);
                if (initialValue != null && !initialValue.equals(value)) {
                    changed.put(name, value);
                }
            });
        }
    }

    private static Map<String, String> settings(ChdbEngine engine) throws ChdbEngine.Failure {
        Map<String, String> values = new HashMap<>();
        for (String line : engine.query("SELECT name, value FROM system.settings", "TabSeparated").text().split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                values.put(line.substring(0, tab), unescape(line.substring(tab + 1)));
            }
        }
        return values;
    }

    /** TabSeparated's escapes, the few a setting value can hold. */
    private static String unescape(String field) {
        StringBuilder value = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char next = field.charAt(++i);
                value.append(switch (next) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> next;
                });
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    private static String literal(String value) {
        if (value.matches("-?[0-9]+(\\.[0-9]+)?")) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String formatOf(String query, String defaultFormat) {
        Matcher formatted = FORMAT_AT_END.matcher(query);
        return formatted.matches() ? formatted.group(2) : defaultFormat;
    }

    private static String summary(ChdbEngine.Result result) {
        return String.format("{\"read_rows\":\"%d\",\"read_bytes\":\"%d\",\"written_rows\":\"%d\",\"written_bytes\":\"%d\","
                        + "\"total_rows_to_read\":\"%d\",\"result_rows\":\"%d\",\"result_bytes\":\"%d\",\"elapsed_ns\":\"%d\"}",
                result.rowsRead(), result.bytesRead(), result.rowsWritten(), result.bytesWritten(), result.rowsRead(),
                result.rowsRead(), result.data().length, (long) (result.elapsedSeconds() * 1e9));
    }

    private void fail(HttpExchange exchange, ChdbEngine.Failure failure, String queryId) throws IOException {
        exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(failure.code));
        exchange.getResponseHeaders().set("X-ClickHouse-Query-Id", queryId);
        respond(exchange, 500, (failure.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), false, "TabSeparated");
    }

    private void respond(HttpExchange exchange, int status, byte[] body, boolean compress, String format) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("X-ClickHouse-Format", format);
        headers.set("X-ClickHouse-Timezone", timezone);
        headers.set("X-ClickHouse-Server-Display-Name", "chdb");
        headers.set("X-ClickHouse-Server-Version", version);
        headers.set("Content-Type", format.startsWith("TabSeparated") ? "text/tab-separated-values; charset=UTF-8"
                : "application/octet-stream");
        if (!compress) {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            return;
        }
        exchange.sendResponseHeaders(status, 0);
        try (OutputStream out = Lz4Framing.compressing(exchange.getResponseBody())) {
            out.write(body);
        }
    }

    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }
}
