package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.model.ColumnDefault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Defaults as {@code pg_get_expr} prints them (PostgreSQL 13 to 18), read back into the model. */
class PostgresSqlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            5                                                             | 5
            -2                                                            | -2
            1.50                                                          | 1.50
            '-1'::integer                                                 | -1
            '-0.5'::numeric                                               | -0.5
            '9223372036854775807'::bigint                                 | 9223372036854775807
            true                                                          | true
            false                                                         | false
            'it''s'::text                                                 | it's
            'ab'::bpchar                                                  | ab
            'back\\slash'::text                                           | back\\slash
            '2024-01-01'::date                                            | 2024-01-01
            '2024-01-01 10:00:00'::timestamp without time zone            | 2024-01-01 10:00:00
            '2024-01-01 10:00:00.123'::timestamp(3) without time zone     | 2024-01-01 10:00:00.123
            '6f9619ff-8b86-d011-b42d-00cf4fc964ff'::uuid                  | 6f9619ff-8b86-d011-b42d-00cf4fc964ff
            '{1,2}'::integer[]                                            | {1,2}
            '::text'::text                                                | ::text
            ''::text                                                      | ""
            """)
    void readsConstantsAsLiterals(String printed, String literal) {
        assertThat(PostgresSql.parseDefault(printed)).isEqualTo(ColumnDefault.literal(literal == null ? "" : literal));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOCALTIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_DATE", "LOCALTIMESTAMP(3)", "now()",
            "('now'::text)::timestamp without time zone", "('now'::text)::date", "transaction_timestamp()"})
    void readsTheCurrentTimeAsNow(String printed) {
        assertThat(PostgresSql.parseDefault(printed)).isEqualTo(ColumnDefault.now());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gen_random_uuid()", "upper('x'::text)", "'a'::text || 'b'::text", "(1 + 2)",
            "nextval('t_id_seq'::regclass)", "'x'::text || now()"})
    void keepsOtherExpressionsVerbatim(String printed) {
        assertThat(PostgresSql.parseDefault(printed)).isEqualTo(ColumnDefault.expression(printed));
    }

    @Test
    void quotesStringsSoNoSettingCanEndThemEarly() {
        assertThat(PostgresSql.string("plain")).isEqualTo("'plain'");
        assertThat(PostgresSql.string("it's")).isEqualTo("'it''s'");
        assertThat(PostgresSql.string("a\\'; DROP TABLE t")).isEqualTo("E'a\\\\''; DROP TABLE t'");
    }
}
