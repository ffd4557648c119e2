package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.hosts.FanOut;
import io.github.schemaevolution.api.hosts.Host;
import io.github.schemaevolution.api.hosts.Hosts;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change fanned out over several hosts of one engine, each a database of its own: a host that is
 * down is named and the others go on, the fan-out run again does only what that host missed, and a
 * table changed by hand on one host is named by the comparison across hosts.
 */
public abstract class HostsContract {
    /** The reachable hosts, at least three, each a database of its own with nothing in it. */
    protected abstract List<Host> hosts();

    /** A data source of this engine that cannot be reached: a host that is down. */
    protected abstract DataSource unreachable();

    private static Table model() {
        return Table.builder("measurements").column("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .reserve(ReservePolicy.builder().spares(ColumnType.nullable(ColumnType.FLOAT64), 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id"))
                .build();
    }

    @Test
    void aFanOutNamesTheHostThatIsDownGoesOnAndResumesAndTheComparisonNamesAHostChangedByHand() throws Exception {
        List<Host> up = hosts();
        String down = up.get(up.size() - 1).name();
        List<Host> withOneDown = new ArrayList<>(up.subList(0, up.size() - 1));
        withOneDown.add(new Host(down, unreachable()));
        Migration addScore = Migration.builder("add-score", "measurements").add("score", ColumnType.nullable(ColumnType.FLOAT64)).build();

        Hosts partly = Hosts.of(withOneDown).withParallelism(2);
        assertThat(partly.ensure(model()).failed()).containsExactly(down);
        FanOut first = partly.apply(addScore);
        assertThat(first.failed()).as(first.toString()).containsExactly(down);
        assertThat(first.complete()).isFalse();
        assertThat(first.hosts()).filteredOn(h -> h.status() == FanOut.Status.DONE)
                .allSatisfy(h -> {
                    assertThat(h.applied()).containsExactly("add-score");
                    assertThat(h.version()).isEqualTo(2);
                    assertThat(h.drift()).hasValueSatisfying(drift -> assertThat(drift.isEmpty()).isTrue());
                });
        assertThat(first.hosts().get(up.size() - 1).error()).isPresent();
        assertThat(first.toString()).contains(down + ": FAILED");

        // the host is back: the same fan-out does its work there, and only there
        Hosts all = Hosts.of(up).withParallelism(2);
        assertThat(all.ensure(model()).complete()).isTrue();
        FanOut resumed = all.apply(addScore);
        assertThat(resumed.complete()).as(resumed.toString()).isTrue();
        for (FanOut.HostResult host : resumed.hosts()) {
            assertThat(host.version()).isEqualTo(2);
            if (host.host().equals(down)) {
                assertThat(host.applied()).containsExactly("add-score");
            } else {
                assertThat(host.alreadyApplied()).containsExactly("add-score");
            }
        }
        assertThat(all.compare(null, "measurements").same()).isTrue();

        // one host changed by hand: the comparison names it, with the column
        Host changed = up.get(1);
        try (Connection connection = changed.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE measurements ADD COLUMN hotfix "
                    + SchemaEvolution.connect(changed.dataSource()).dialect().typeSql(ColumnType.INT32));
        }
        Hosts.Comparison comparison = all.compare(null, "measurements");
        assertThat(comparison.same()).isFalse();
        assertThat(comparison.schemas().variants()).singleElement().satisfies(variant -> {
            assertThat(variant.named()).containsExactly(changed.name());
            assertThat(variant.differences()).singleElement().satisfies(difference -> {
                assertThat(difference.column()).isEqualTo("hotfix");
                assertThat(difference.expected()).isNull();
                assertThat(difference.allowed()).isFalse();
            });
        });
        Hosts.Comparison withDown = partly.compare(null, "measurements");
        assertThat(withDown.unreachable()).containsOnlyKeys(down);
        assertThat(all.apply(addScore).hosts()).filteredOn(h -> h.host().equals(changed.name())).singleElement()
                .satisfies(h -> assertThat(h.drift()).hasValueSatisfying(drift -> assertThat(drift.extra()).isNotEmpty()));
    }
}
