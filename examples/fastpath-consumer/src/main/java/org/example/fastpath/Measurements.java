package org.example.fastpath;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;

import java.util.List;

/** The service's table and its migrations, shared by its writer and its reader. */
public final class Measurements {
    public static final String TABLE = "measurements";

    /** Version 1. */
    public static final Table MODEL = Table.builder(TABLE)
            .column("measurement_uid", ColumnType.STRING)
            .column("probe_cc", ColumnType.STRING)
            .column("runtime", ColumnType.FLOAT32)
            .reserve(ReservePolicy.builder().spares(ColumnType.FLOAT64, 2).spares(ColumnType.STRING, 1).build())
            .clickHouse(ClickHouseOptions.builder().orderBy("measurement_uid").build())
            .postgres(PostgresOptions.primaryKey("measurement_uid"))
            .build();

    /** Version 2: the country under its new name, and the DNS time. */
    public static final List<Migration> MIGRATIONS = List.of(Migration.builder("2026-12-01-dns", TABLE)
            .rename("probe_cc", "country").add("dns_ms", ColumnType.nullable(ColumnType.FLOAT64)).build());

    private Measurements() {
    }

    /** What every instance calls at start-up: the table at version 1, then the migrations this build knows. */
    public static SchemaVersion startUp(SchemaEvolution evolution, int upTo) {
        SchemaVersion version = evolution.ensure(MODEL);
        for (Migration migration : MIGRATIONS.subList(0, upTo - 1)) {
            version = evolution.apply(migration).version();
        }
        return version;
    }
}
