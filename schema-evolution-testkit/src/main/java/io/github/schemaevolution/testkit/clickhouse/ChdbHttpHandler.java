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
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final int UNKNOWN_SETTING = 115;

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
            List<String[]> restore = applySettings(settings);
            try {
                if (data == null) {
                    return engine.query(query, format, queryParameters);
                }
                Matcher formatted = FORMAT_AT_END.matcher(query);
                if (formatted.matches()) {
                    return engine.insert(formatted.group(1), formatted.group(2), new ByteArrayInputStream(data));
                }
                return engine.query(query + "\n" + new String(data, StandardCharsets.UTF_8), format, queryParameters);
            } finally {
                for (String[] setting : restore) {
                    engine.query("SET " + setting[0] + " = " + setting[1], "TabSeparated");
                }
            }
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

    /** Applies request settings; returns how to put each back, so that they apply to this request only. */
    private List<String[]> applySettings(Map<String, String> settings) throws ChdbEngine.Failure {
        List<String[]> restore = new ArrayList<>();
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            String name = setting.getKey();
            String before = engine.query("SELECT value FROM system.settings WHERE name = {n:String}", "TabSeparatedRaw",
                    Map.of("n", name)).text().strip();
            try {
                engine.query("SET " + name + " = " + literal(setting.getValue()), "TabSeparated");
                restore.add(new String[]{name, literal(before)});
            } catch (ChdbEngine.Failure failure) {
                if (failure.code != UNKNOWN_SETTING) {
                    throw failure;
                }
            }
        }
        return restore;
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
