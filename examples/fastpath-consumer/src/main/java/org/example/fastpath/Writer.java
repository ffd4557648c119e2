package org.example.fastpath;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.jooq.VersionTable;
import org.jooq.DSLContext;

import javax.sql.DataSource;

/** The ingestion side: pinned to the version it was built for, it keeps writing while newer versions appear. */
public final class Writer {
    private final VersionTable version;
    private final DSLContext dsl;

    public Writer(DataSource dataSource, int pinnedVersion) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        this.version = VersionTable.of(evolution, null, Measurements.TABLE, pinnedVersion);
        this.dsl = version.dsl(dataSource);
    }

    /** Writes one measurement; {@code dnsMs} only where the pinned version has the column. */
    public void write(String uid, String country, float runtime, Double dnsMs) {
        if (version.version().column("dns_ms").isPresent()) {
            version.insert(dsl).values(uid, country, runtime, dnsMs).execute();
        } else {
            version.insert(dsl).values(uid, country, runtime).execute();
        }
    }
}
