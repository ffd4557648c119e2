package io.github.schemaevolution.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DialectsTest {
    @Test
    void coreAloneHasNoDialectAndSaysWhichModuleToAdd() {
        assertThatThrownBy(() -> Dialects.forJdbcUrl("jdbc:postgresql://localhost/db"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DIALECT_NOT_FOUND);
                    assertThat(e.getMessage()).contains("schema-evolution-postgres");
                });
    }
}
