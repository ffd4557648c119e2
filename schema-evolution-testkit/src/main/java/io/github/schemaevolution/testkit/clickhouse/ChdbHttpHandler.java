package io.github.schemaevolution.testkit.clickhouse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.ByteArrayInputStream;
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
 * calls: the statement comes in the {@code query} parameter or the body (with the {@code query}
 * parameter, the body is the data of an INSERT), {@code param_*} parameters are bound by the
 * engine, {@code database} and other parameters naming settings apply to that request only,
 * {@code compress}/{@code decompress} use ClickHouse's LZ4 block framing, and errors come back as
 * HTTP 500 with the {@code Code: N. DB::Exception: ...} body and the
 * {@code X-ClickHouse-Exception-Code} header the clients parse.
 */
final class ChdbHttpHandler implements HttpHandler {
    private static final Pattern FORMAT_AT_END = Pattern.compile("(?is)^(.*?)\\s+FORMAT\\s+([A-Za-z0-9_]+)\\s*;?\\s*$");
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Parameters of the HTTP protocol itself, never engine settings. */
    private static final Set<String> PROTOCOL = Set.of("query", "database", "default_format", "compress", "decompress",
            "query_id", "session_id", "session_timeout", "session_check", "user", "password", "quota_key",
            "client_protocol_version", "wait_end_of_query", "send_progress_in_http_headers",
            "http_headers_progress_interval_ms", "enable_http_compression", "http_zlib_compression_level",
            "cancel_http_readonly_queries_on_client_close", "buffer_size", "http_response_buffer_size",
            "extremes", "role", "http_native_compression_disable_checksumming_on_decompress");

    private final ChdbEngine engine;
    private final String timezone;
    private final String version;
    private String currentDatabase = "default";
    /** Setting defaults by name (null for names that are not settings), read once. */
    private final Map<String, String> defaults = new HashMap<>();
    /** Settings the session holds at a value other than their default. */
    private final Map<String, String> changed = new HashMap<>();

    ChdbHttpHandler(ChdbEngine engine, String timezone, String version) {
        this.engine = engine;
        this.timezone = timezone;
        this.version = version;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> params = parameters(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/ping") || path.equals("/replicas_status")) {
                respond(exchange, 200, "Ok.\n".getBytes(StandardCharsets.UTF_8), params, "TabSeparated", null);
                return;
            }
            byte[] body = readBody(exchange, "1".equals(params.get("decompress")));
            String query = params.get("query");
            byte[] data = null;
            if (query == null) {
                query = new String(body, StandardCharsets.UTF_8);
            } else if (body.length > 0) {
                data = body;
            }
            if (query.isBlank()) {
                respond(exchange, 200, "Ok.\n".getBytes(StandardCharsets.UTF_8), params, "TabSeparated", null);
                return;
            }
            Headers headers = exchange.getRequestHeaders();
            String database = params.getOrDefault("database", headers.getFirst("X-ClickHouse-Database"));
            String format = params.getOrDefault("default_format", headers.getFirst("X-ClickHouse-Format"));
            if (format == null) {
                format = "TabSeparated";
            }
            String queryId = params.getOrDefault("query_id", UUID.randomUUID().toString());
            try {
                ChdbEngine.Result result = execute(query, data, format, database, params);
                respond(exchange, 200, result.data(), params, formatOf(query, format), summary(result, queryId, exchange));
            } catch (ChdbEngine.Failure failure) {
                exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", Integer.toString(failure.code));
                exchange.getResponseHeaders().set("X-ClickHouse-Query-Id", queryId);
                respond(exchange, 500, (failure.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), Map.of(), "TabSeparated", null);
            }
        }
    }

    private ChdbEngine.Result execute(String query, byte[] data, String format, String database,
                                      Map<String, String> params) throws ChdbEngine.Failure, IOException {
        Map<String, String> queryParameters = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        params.forEach((name, value) -> {
            if (name.startsWith("param_")) {
                queryParameters.put(name.substring("param_".length()), value);
            } else if (!PROTOCOL.contains(name) && SETTING_NAME.matcher(name).matches()) {
                settings.put(name, value);
            }
        });
        return engine.exclusive(() -> {
            useDatabase(database == null ? "default" : database);
            applySettings(settings);
            if (data == null) {
                return engine.query(query, format, queryParameters);
            }
            Matcher formatted = FORMAT_AT_END.matcher(query);
            if (formatted.matches()) {
                return engine.insert(formatted.group(1), formatted.group(2), new ByteArrayInputStream(data));
            }
            return engine.query(query + "\n" + new String(data, StandardCharsets.UTF_8), format, queryParameters);
        });
    }

    private void useDatabase(String database) throws ChdbEngine.Failure {
        if (!database.equals(currentDatabase)) {
            if (!SETTING_NAME.matcher(database).matches()) {
                throw new ChdbEngine.Failure("Code: 81. DB::Exception: Database " + database + " does not exist. (UNKNOWN_DATABASE)");
            }
            engine.query("USE `" + database + "`", "TabSeparated");
            currentDatabase = database;
        }
    }

    /**
     * Makes the session's settings those of this request: settings an earlier request changed go
     * back to their defaults, requested ones are set. Clients send the same few settings with every
     * request (JDBC sends {@code async_insert=0}), so only changes cost a statement.
     */
    private void applySettings(Map<String, String> requested) throws ChdbEngine.Failure {
        for (String name : new ArrayList<>(changed.keySet())) {
            if (!requested.containsKey(name)) {
                engine.query("SET " + name + " = " + literal(defaults.get(name)), "TabSeparated");
                changed.remove(name);
            }
        }
        for (Map.Entry<String, String> setting : requested.entrySet()) {
            String name = setting.getKey();
            String fallback = defaultOf(name);
            if (fallback == null) {
                continue;
            }
            String value = setting.getValue();
            if (!value.equals(changed.getOrDefault(name, fallback))) {
                engine.query("SET " + name + " = " + literal(value), "TabSeparated");
                if (value.equals(fallback)) {
                    changed.remove(name);
                } else {
                    changed.put(name, value);
                }
            }
        }
    }

    /** The engine's default of a setting, or {@code null} for a name that is not a setting (ignored, as by a server). */
    private String defaultOf(String name) throws ChdbEngine.Failure {
        if (!defaults.containsKey(name)) {
            String text = engine.query("SELECT value FROM system.settings WHERE name = {n:String}", "TabSeparatedRaw",
                    Map.of("n", name)).text();
            defaults.put(name, text.isEmpty() ? null : text.strip());
        }
        return defaults.get(name);
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

    private String summary(ChdbEngine.Result result, String queryId, HttpExchange exchange) {
        exchange.getResponseHeaders().set("X-ClickHouse-Query-Id", queryId);
        return String.format("{\"read_rows\":\"%d\",\"read_bytes\":\"%d\",\"written_rows\":\"%d\",\"written_bytes\":\"%d\","
                        + "\"total_rows_to_read\":\"%d\",\"result_rows\":\"%d\",\"result_bytes\":\"%d\",\"elapsed_ns\":\"%d\"}",
                result.rowsRead(), result.bytesRead(), result.rowsWritten(), result.bytesWritten(), result.rowsRead(),
                result.rowsRead(), result.data().length, (long) (result.elapsedSeconds() * 1e9));
    }

    private void respond(HttpExchange exchange, int status, byte[] body, Map<String, String> params, String format,
                         String summary) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("X-ClickHouse-Format", format);
        headers.set("X-ClickHouse-Timezone", timezone);
        headers.set("X-ClickHouse-Server-Display-Name", "chdb");
        headers.set("X-ClickHouse-Server-Version", version);
        headers.set("Content-Type", format.startsWith("TabSeparated") ? "text/tab-separated-values; charset=UTF-8"
                : "application/octet-stream");
        if (summary != null) {
            headers.set("X-ClickHouse-Summary", summary);
        }
        boolean compress = "1".equals(params.get("compress"));
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

    private static byte[] readBody(HttpExchange exchange, boolean compressed) throws IOException {
        try (InputStream in = compressed ? Lz4Framing.decompressing(exchange.getRequestBody()) : exchange.getRequestBody()) {
            return in.readAllBytes();
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
