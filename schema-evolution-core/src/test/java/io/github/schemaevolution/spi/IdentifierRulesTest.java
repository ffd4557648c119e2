package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifierRulesTest {
    private final IdentifierRules rules = new IdentifierRules("testdb", 10, Set.of("frobnicate"), '"');

    @Test
    void quotesOnlyCheckedNames() {
        assertThat(rules.quote(IdentifierRules.Kind.COLUMN, "t", "probe_cc")).isEqualTo("\"probe_cc\"");
        assertThat(rules.qualified("s", "t")).isEqualTo("\"s\".\"t\"");
        assertThat(rules.qualified(null, "t")).isEqualTo("\"t\"");
        assertThatThrownBy(() -> rules.quote(IdentifierRules.Kind.COLUMN, "t", "a\"b"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_UNSAFE));
    }

    @Test
    void engineLimitsApply() {
        assertThatThrownBy(() -> rules.check(IdentifierRules.Kind.COLUMN, "t", "abcdefghijk"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_TOO_LONG);
                    assertThat(e.getMessage()).contains("11 bytes", "testdb", "10");
                });
        assertThatThrownBy(() -> rules.check(IdentifierRules.Kind.COLUMN, "t", "Frobnicate"))
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_RESERVED));
    }

    @Test
    void controlCharactersArePrintedEscaped() {
        assertThatThrownBy(() -> rules.check(IdentifierRules.Kind.TABLE, null, "a\nb"))
                .hasMessageContaining("a\\u000ab");
    }
}
