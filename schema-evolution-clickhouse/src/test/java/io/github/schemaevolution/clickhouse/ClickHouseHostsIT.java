package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.hosts.Host;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.clickhouse.EmbeddedClickHouse;
import io.github.schemaevolution.testkit.clickhouse.UrlDataSource;
import io.github.schemaevolution.testkit.contract.HostsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import javax.sql.DataSource;
import java.util.List;

/** Three embedded ClickHouse nodes, each a process of its own, as the hosts. */
@ClickHouseTest
class ClickHouseHostsIT extends HostsContract {
    private static EmbeddedClickHouse second;
    private static EmbeddedClickHouse third;
    private DataSource first;

    @BeforeAll
    static void startNodes() {
        second = EmbeddedClickHouse.start();
        third = EmbeddedClickHouse.start();
    }

    @AfterAll
    static void stopNodes() {
        second.close();
        third.close();
    }

    @BeforeEach
    void connect(DataSource dataSource) {
        this.first = dataSource;
    }

    @Override
    protected List<Host> hosts() {
        return List.of(new Host("ch-1", first), new Host("ch-2", second.dataSource()), new Host("ch-3", third.dataSource()));
    }

    @Override
    protected DataSource unreachable() {
        return UrlDataSource.of("jdbc:clickhouse:http://127.0.0.1:1/default", "default", "");
    }
}
