package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.jooq.VersionTable;
import org.jooq.DSLContext;
import org.jooq.Field;

import javax.sql.DataSource;
import java.time.LocalDateTime;

/**
 * The README's jOOQ block, word for word between the markers, run by {@code ReadmeIT} on the table the
 * "Using it" block ({@link UsingIt}) leaves.
 */
public final class UsingJooq {
    private UsingJooq() {
    }

    /** Runs the block; returns the rows the view shows afterwards. */
    public static int run(SchemaEvolution evolution, DataSource dataSource) {
        // README: jooq begin
        VersionTable v = VersionTable.current(evolution, null, "fastpath");   // or VersionTable.of(evolution, null, "fastpath", 3)
        DSLContext dsl = v.dsl(dataSource);                                   // POSTGRES, or DEFAULT on ClickHouse
        Field<String> country = v.field("country", String.class);             // TYPE_INVALID if the type is not the column's
        dsl.select(country, v.field("dns_time_ms")).from(v.view()).where(country.eq("IT")).limit(100).fetch();
        v.insert(dsl).values("m1", "IT", LocalDateTime.now(), 12.5).execute(); // the columns of version.writer(), in order
        // README: jooq end
        return dsl.fetchCount(v.view());
    }
}
