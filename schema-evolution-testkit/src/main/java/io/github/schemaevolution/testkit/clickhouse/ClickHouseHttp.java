package io.github.schemaevolution.testkit.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One statement over the ClickHouse HTTP interface: how the testkit sets up and tears down, without a driver. */
final class ClickHouseHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ClickHouseHttp() {
    }

    /** Runs {@code sql} and returns its output as text; throws with ClickHouse's message when refused. */
    static String query(String httpUrl, String user, String password, String sql) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .header("X-ClickHouse-User", user)
                .header("X-ClickHouse-Key", password)
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(5))
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("ClickHouse refused '" + sql + "': " + response.body().strip());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
