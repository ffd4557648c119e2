package io.github.schemaevolution.testkit.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Life and death of embedded instances: isolation, a killed child, a killed parent, clean-up. */
class EmbeddedClickHouseIT {

    @Test
    void twoInstancesRunSideBySideWithTheirOwnData() throws SQLException {
        try (EmbeddedClickHouse first = EmbeddedClickHouse.start(); EmbeddedClickHouse second = EmbeddedClickHouse.start()) {
            assertThat(first.pid()).isNotEqualTo(second.pid());
            assertThat(first.httpEndpoint()).isNotEqualTo(second.httpEndpoint());
            assertThat(first.dataDirectory()).isNotEqualTo(second.dataDirectory());
            first.query("CREATE TABLE only_here (x UInt8) ENGINE = MergeTree ORDER BY x");
            first.query("INSERT INTO only_here VALUES (1), (2)");
            second.query("CREATE TABLE only_there (x UInt8) ENGINE = MergeTree ORDER BY x");

            assertThat(first.query("SELECT count() FROM only_here").strip()).isEqualTo("2");
            assertThat(first.query("EXISTS TABLE only_there").strip()).isEqualTo("0");
            assertThat(second.query("EXISTS TABLE only_here").strip()).isEqualTo("0");
            try (Connection connection = second.dataSource().getConnection();
                 ResultSet row = connection.createStatement().executeQuery("SELECT version(), count() FROM only_there")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).startsWith("26.7");
                assertThat(row.getLong(2)).isZero();
            }
        }
    }

    @Test
    void closeRemovesTheDirectoryUnlessAskedToKeepIt() throws Exception {
        EmbeddedClickHouse removed = EmbeddedClickHouse.start();
        Path removedHome = removed.dataDirectory().getParent();
        removed.query("CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x");
        removed.close();
        assertThat(removed.isAlive()).isFalse();
        assertThat(removedHome).doesNotExist();

        Path home = Files.createTempDirectory("kept-chdb");
        try {
            EmbeddedClickHouse kept = EmbeddedClickHouse.builder().home(home).keepData(true).start();
            kept.query("CREATE TABLE t (k UInt8, x UInt8) ENGINE = MergeTree ORDER BY k");
            kept.query("INSERT INTO t VALUES (1, 1)");
            // a pending rename mutation: close() waits for it, since chDB aborts at exit while one is pending
            kept.query("ALTER TABLE t RENAME COLUMN x TO y SETTINGS alter_sync = 0");
            kept.close();
            assertThat(kept.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(home.resolve("data")).isDirectory();
            assertThat(home.resolve("server.log")).exists();

            // a directory holding data is refused: chDB 26.7.3 may abort on one another process left
            assertThatThrownBy(() -> EmbeddedClickHouse.builder().home(home).start())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fresh directory");
        } finally {
            ChdbLibrary.deleteRecursively(home);
        }
    }

    @Test
    void aKilledChildIsReportedByTheNextRequestOfEveryClientAndByClose() throws Exception {
        EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
        long pid = clickhouse.pid();
        Path home = clickhouse.dataDirectory().getParent();
        try (Client client = new Client.Builder().addEndpoint(clickhouse.httpEndpoint()).setUsername("default").setPassword("")
                .build(); Connection connection = clickhouse.dataSource().getConnection()) {
            assertThat(client.queryAll("SELECT 1 AS one").get(0).getInteger("one")).isEqualTo(1);

            assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
            clickhouse.onExit().get(30, TimeUnit.SECONDS);

            String killed = killed(pid);
            assertThatThrownBy(() -> connection.createStatement().executeQuery("SELECT 1"))
                    .isInstanceOf(SQLException.class).hasMessageContaining(killed);
            assertThatThrownBy(() -> client.query("SELECT 1").get())
                    .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(DeadEngineResponder.CODE))
                    .hasMessageContaining(killed);
            assertThatThrownBy(() -> clickhouse.query("SELECT 1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(killed);
            assertThatThrownBy(clickhouse::checkAlive).hasMessageContaining(killed);
        }
        assertThatThrownBy(clickhouse::close).isInstanceOf(IllegalStateException.class).hasMessageContaining(killed(pid));
        assertThat(home).doesNotExist();
    }

    private static String killed(long pid) {
        return "pid " + pid + ") was killed by signal 9 (SIGKILL";
    }

    @Test
    void theChildEndsWhenTheJvmThatStartedItIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OrphanedParent.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Path home = null;
        try {
            String line = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as("the parent's report of its child").startsWith("CHILD ");
            String[] words = line.split(" ", 3);
            home = Path.of(words[2]);
            ProcessHandle child = ProcessHandle.of(Long.parseLong(words[1])).orElseThrow();

            parent.destroyForcibly().waitFor();
            // the child sees its input close and exits; get() fails with a timeout if it lingers
            assertThat(child.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            parent.destroyForcibly();
            if (home != null) {
                ChdbLibrary.deleteRecursively(home);
            }
        }
    }

    @Test
    void aLibraryThatCannotBeLoadedIsAClearError() {
        assertThatThrownBy(() -> EmbeddedClickHouse.builder().library(Path.of("/nonexistent/libchdb.so")).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before it was ready")
                .hasMessageContaining("/nonexistent/libchdb.so");
    }
}
