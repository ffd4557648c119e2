package org.example.fastpath;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.jooq.VersionTable;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** The read API: queries the view of the version it was built for, with typed fields. */
public final class Reader {
    private final VersionTable version;
    private final DSLContext dsl;
    private final String countryColumn;

    public Reader(DataSource dataSource, int pinnedVersion) {
        SchemaEvolution evolution = SchemaEvolution.connect(dataSource);
        this.version = VersionTable.of(evolution, null, Measurements.TABLE, pinnedVersion);
        this.dsl = version.dsl(dataSource);
        this.countryColumn = version.version().column("country").isPresent() ? "country" : "probe_cc";
    }

    /** Measurements per country, by country. */
    public Map<String, Integer> perCountry() {
        Field<String> country = version.field(countryColumn, String.class);
        Map<String, Integer> counts = new LinkedHashMap<>();
        dsl.select(country, DSL.count()).from(version.view()).groupBy(country).orderBy(country).fetch()
                .forEach(row -> counts.put(row.value1(), row.value2()));
        return counts;
    }

    /** The mean DNS time of one country's measurements that have it; NULL-free. */
    public double meanDnsMs(String country) {
        Field<Double> dns = version.field("dns_ms", Double.class);
        return dsl.select(DSL.avg(dns)).from(version.view())
                .where(version.field(countryColumn, String.class).eq(country).and(dns.isNotNull()))
                .fetchOne(0, Double.class);
    }
}
