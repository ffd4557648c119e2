package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.model.ModelInputs;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.DdlStatement;
import org.junit.jupiter.api.Test;

import static io.github.schemaevolution.api.model.ModelInputs.buildsOrRefuses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile tables (see {@link ModelInputs}) through this dialect's validation and DDL, 3,000 seeded
 * cases: each renders, or is refused with a coded SchemaEvolutionException before any SQL exists;
 * what renders holds no NUL.
 */
class ClickHouseModelInputPropertyTest {
    private final ClickHouseDialect dialect = new ClickHouseDialect();

    @Test
    void tablesRenderOrAreRefused() {
        ModelInputs inputs = new ModelInputs(5);
        int rendered = 0;
        for (int i = 0; i < 3_000; i++) {
            ModelInputs.TableInput input = inputs.table();
            rendered += buildsOrRefuses("case " + i + ": " + input, () -> {
                Table table = input.build();
                dialect.validate(table);
                for (DdlStatement statement : dialect.createTable(table)) {
                    assertThat(statement.sql()).doesNotContain("\0");
                }
                dialect.canonical(table);
            }) ? 1 : 0;
        }
        assertThat(rendered).as("tables rendered").isGreaterThan(30);
    }
}
