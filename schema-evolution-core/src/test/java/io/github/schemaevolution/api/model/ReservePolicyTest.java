package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.junit.jupiter.api.Test;

import static io.github.schemaevolution.api.model.ColumnType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReservePolicyTest {

    @Test
    void sparesAreNamedByFamilyAndNumberedFromOne() {
        ReservePolicy policy = ReservePolicy.builder()
                .spares(FLOAT64, 2).spares(decimal(18, 4), 1).spares(lowCardinality(STRING), 1).build();
        assertThat(policy.spareColumns()).extracting(Column::name).containsExactly(
                "_spare_float64_1", "_spare_float64_2", "_spare_decimal_18_4_1", "_spare_lowcardinality_string_1");
        assertThat(policy.totalSpares()).isEqualTo(4);
    }

    @Test
    void sparesHoldNullWhenUnused() {
        ReservePolicy policy = ReservePolicy.builder().spares(INT64, 1).spares(lowCardinality(STRING), 1)
                .spares(arrayOf(INT32), 1).build();
        assertThat(policy.spareColumns()).extracting(Column::type)
                .containsExactly(nullable(INT64), lowCardinality(nullable(STRING)), arrayOf(INT32));
        assertThat(policy.spareColumns()).allSatisfy(c -> assertThat(c.comment()).isEqualTo(ReservePolicy.SPARE_COMMENT));
    }

    @Test
    void nullableFamiliesAreTheSameFamily() {
        assertThatThrownBy(() -> ReservePolicy.builder().spares(INT32, 1).spares(nullable(INT32), 2).build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
    }

    @Test
    void countsAndPrefixesAreChecked() {
        assertThatThrownBy(() -> ReservePolicy.builder().spares(INT32, 0).build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_INVALID));
        assertThatThrownBy(() -> ReservePolicy.builder().prefix("bad prefix").spares(INT32, 1).build())
                .isInstanceOfSatisfying(SchemaEvolutionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTIFIER_UNSAFE));
    }

    @Test
    void recognisesItsOwnNamespace() {
        ReservePolicy policy = ReservePolicy.builder().prefix("zz_").spares(INT32, 1).build();
        assertThat(policy.isSpareName("zz_int32_1")).isTrue();
        assertThat(policy.isSpareName("ZZ_other")).isTrue();
        assertThat(policy.isSpareName("z_int32")).isFalse();
    }
}
