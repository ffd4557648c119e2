package io.github.schemaevolution.testkit.clickhouse;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Life and death of embedded instances: isolation, a killed child, clean-up. */
class EmbeddedClickHouseIT {

    @Test
    void twoInstancesRunSideBySideWithTheirOwnData() throws SQLException {
        try (EmbeddedClickHouse first = EmbeddedClickHouse.start(); EmbeddedClickHouse second = EmbeddedClickHouse.start()) {
            assertThat(first.pid()).isNotEqualTo(second.pid());
            assertThat(first.dataDirectory()).isNotEqualTo(second.dataDirectory());
            first.query("CREATE TABLE only_here (x UInt8) ENGINE = MergeTree ORDER BY x");
            first.query("INSERT INTO only_here VALUES (1), (2)");
            assertThat(first.query("SELECT count() FROM only_here").strip()).isEqualTo("2");
            assertThat(second.query("EXISTS TABLE only_here").strip()).isEqualTo("0");
            try (Connection connection = second.dataSource().getConnection();
                 ResultSet row = connection.createStatement().executeQuery("SELECT version()")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).startsWith("26.7");
            }
        }
    }

    @Test
    void closeRemovesTheDataUnlessAskedToKeepIt() throws Exception {
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
            assertThat(home.resolve("data")).isDirectory();
            assertThat(home.resolve("server.log")).exists();
        } finally {
            try (var paths = Files.walk(home)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aKilledChildIsReportedWithItsPidAndSignal() throws Exception {
        EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
        long pid = clickhouse.pid();
        ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
        assertThat(child.destroyForcibly()).isTrue();
        child.onExit().get(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> clickhouse.query("SELECT 1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pid " + pid)
                .hasMessageContaining("killed by signal 9 (SIGKILL");
        assertThatThrownBy(clickhouse::checkAlive).hasMessageContaining("pid " + pid);
        assertThatThrownBy(() -> {
            try (Connection connection = clickhouse.dataSource().getConnection()) {
                connection.createStatement().executeQuery("SELECT 1");
            }
        }).isInstanceOf(SQLException.class);
        Path home = clickhouse.dataDirectory().getParent();
        assertThatThrownBy(clickhouse::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pid " + pid).hasMessageContaining("SIGKILL");
        assertThat(home).doesNotExist();
    }

    @Test
    void aMissingLibraryIsAClearErrorListingTheWaysToProvideOne() {
        assertThatThrownBy(() -> EmbeddedClickHouse.builder().library(Path.of("/nonexistent/libchdb.so")).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/libchdb.so");
    }
}
