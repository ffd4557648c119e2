package io.github.schemaevolution.jooq;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseEndpoint;
import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import io.github.schemaevolution.testkit.postgres.PostgresEndpoint;
import io.github.schemaevolution.testkit.postgres.PostgresTest;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.LocalDateTime;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A writer and a reader of two versions through the jOOQ handles, on both engines. */
@PostgresTest
@ClickHouseTest
class VersionTableIT {

    @Test
    void onPostgres(PostgresEndpoint postgres) {
        readersAndWritersOfTwoVersions(postgres.dataSource());
    }

    @Test
    void onClickHouse(ClickHouseEndpoint clickHouse) {
        readersAndWritersOfTwoVersions(clickHouse.dataSource());
    }

    private static void readersAndWritersOfTwoVersions(DataSource dataSource) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.create(Table.builder("measurements").column("id", INT64).column("probe_cc", STRING)
                .column("start_time", DATETIME).column("runtime", FLOAT32)
                .reserve(ReservePolicy.builder().spares(FLOAT64, 2).build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build()).postgres(PostgresOptions.primaryKey("id")).build());
        VersionTable v1 = VersionTable.of(evolution, null, "measurements", 1);
        DSLContext dsl = v1.dsl(dataSource);
        LocalDateTime start = LocalDateTime.of(2026, 12, 1, 10, 0);
        assertThat(v1.insert(dsl).values(1L, "IT", start, 1.5f).values(2L, "DE", start, 2.5f).execute()).isEqualTo(2);

        evolution.apply(Migration.builder("v2", "measurements").rename("probe_cc", "country")
                .add("dns_ms", nullable(FLOAT64)).build());
        VersionTable v2 = VersionTable.current(evolution, null, "measurements");
        v2.insert(dsl).values(3L, "IT", start.plusHours(1), 3.5f, 12.25).execute();
        // the writer pinned to version 1 goes on writing its columns
        v1.insert(dsl).values(4L, "FR", start, 4.5f).execute();

        Field<Long> id = v2.field("id", Long.class);
        Field<String> country = v2.field("country", String.class);
        Field<Double> dns = v2.field("dns_ms", Double.class);
        assertThat(dsl.select(id, dns).from(v2.view()).where(country.eq("IT")).orderBy(id).limit(10).fetch())
                .extracting(r -> r.get(id), r -> r.get(dns))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, null), org.assertj.core.groups.Tuple.tuple(3L, 12.25));
        Field<String> probeCc = v1.field("probe_cc", String.class);
        assertThat(dsl.select(probeCc).from(v1.view()).orderBy(v1.field("id")).limit(2).offset(2).fetch(probeCc))
                .containsExactly("IT", "FR");
        assertThat(dsl.select(DSL.count()).from(v2.view()).where(v2.field("runtime", Float.class).gt(2f)).fetchOne(0, Integer.class))
                .isEqualTo(3);
        assertThat(dsl.select(v2.field("start_time", LocalDateTime.class)).from(v2.view()).where(id.eq(3L))
                .fetchOne(v2.field("start_time", LocalDateTime.class))).isEqualTo(start.plusHours(1));

        assertThatThrownBy(() -> v2.field("id", Integer.class)).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TYPE_INVALID));
        assertThatThrownBy(() -> v2.field("probe_cc")).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.COLUMN_NOT_FOUND));
    }
}
