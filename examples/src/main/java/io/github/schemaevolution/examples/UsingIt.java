package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;

import javax.sql.DataSource;

/**
 * The README's "Using it" block, word for word between the markers: {@code ReadmeIT} checks that the
 * README still shows exactly this code, and runs it on both engines.
 */
public final class UsingIt {
    private UsingIt() {
    }

    /** Runs the block; returns the physical column of {@code dns_time_ms} it found. */
    public static String run(DataSource dataSource) {
        // README: using-it begin
        // 1. Describe the table once: columns, engine layout, and how many spares to keep per type.
        Table fastpath = Table.builder("fastpath")
                .column("measurement_uid", ColumnType.STRING)
                .column("probe_cc", ColumnType.lowCardinality(ColumnType.STRING))
                .column("measurement_start_time", ColumnType.DATETIME)
                .column("scores", ColumnType.STRING)
                .column(Column.of("update_time", ColumnType.dateTime64(3)).withDefault(ColumnDefault.now().materialized()))
                .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 3).spares(ColumnType.INT64, 3).build())
                .clickHouse(ClickHouseOptions.builder()
                        .engine(new ClickHouseOptions.ReplacingMergeTree("update_time"))
                        .orderBy("measurement_start_time", "measurement_uid").build())
                .postgres(PostgresOptions.primaryKey("measurement_uid"))
                .build();

        // 2. Bind a data source; the dialect is found from its JDBC URL.
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        evolution.ensure(fastpath);                      // at start-up, from every instance: CREATE TABLE with the spares,
                                                         // version 1, view fastpath_v1; or the version it is at

        // 3. Evolve it. A plan is a dry run; apply runs it once, whatever the number of instances calling it.
        Migration timings = Migration.builder("2026-11-01-timings", "fastpath")
                .add("dns_time_ms", ColumnType.nullable(ColumnType.FLOAT64))  // a spare comes into use: no ADD COLUMN
                .drop("scores")                             // gone from version 2; kept for version 1 until it is retired
                .rename("probe_cc", "country")
                .build();
        System.out.println(evolution.plan(timings).sql());
        ApplyResult result = evolution.apply(timings);   // version 2, view fastpath_v2; fastpath_v1 keeps answering

        // Writers insert into physical columns; readers query a version's view.
        String column = result.version().physicalName("dns_time_ms");

        // 4. Once no reader or writer is on version 1 any more: its view goes, `scores` is cleared and its
        //    physical column returns to the pool.
        evolution.retire(null, "fastpath", 1);
        // README: using-it end
        return column;
    }
}
