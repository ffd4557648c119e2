package io.github.schemaevolution.testkit.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One statement over the ClickHouse HTTP interface: how the testkit sets up and tears down, without
 * a driver. {@link HttpURLConnection} rather than the JDK's {@code HttpClient}, whose first use
 * costs most of a second (it sets up TLS even for plain HTTP), which the first test would pay.
 */
final class ClickHouseHttp {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    private ClickHouseHttp() {
    }

    /**
     * Runs {@code sql} and returns its output as text.
     *
     * @throws IllegalStateException with ClickHouse's message when the server refuses the statement
     * @throws IOException           when the server cannot be reached
     */
    static String query(String httpUrl, String user, String password, String sql) throws IOException {
        HttpURLConnection connection;
        int status;
        try {
            connection = (HttpURLConnection) URI.create(httpUrl + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8))
                    .toURL().openConnection();
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setRequestMethod("POST");
            connection.setRequestProperty("X-ClickHouse-User", user);
            connection.setRequestProperty("X-ClickHouse-Key", password);
            connection.setDoOutput(true);
            connection.getOutputStream().close();
            status = connection.getResponseCode();
        } catch (IOException e) {
            // these often carry no message of their own (a refused connection, for one)
            throw new IOException("cannot reach ClickHouse at " + httpUrl + ": " + e, e);
        }
        // reading the body to its end lets the connection be reused
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IllegalStateException("ClickHouse refused '" + sql + "': " + body.strip());
            }
            return body;
        }
    }
}
