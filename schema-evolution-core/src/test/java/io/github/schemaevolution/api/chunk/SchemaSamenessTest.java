package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.chunk.SchemaReport.ColumnShape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaSamenessTest {
    private static final List<ColumnShape> BASE = List.of(new ColumnShape("id", "bigint"), new ColumnShape("ra", "double precision"),
            new ColumnShape("cost", "numeric(10, 2)"));

    private static List<ColumnShape> with(List<ColumnShape> columns, ColumnShape extra) {
        List<ColumnShape> more = new ArrayList<>(columns);
        more.add(extra);
        return more;
    }

    @Test
    void tenThousandTablesWithOneSchemaCostOneEntryAndReportSame() {
        SchemaSameness sameness = new SchemaSameness("object_*");
        for (int i = 0; i < 10_000; i++) {
            sameness.add("object_" + i, SchemaSameness.signature(BASE));
        }
        SchemaReport report = sameness.report();
        assertThat(report.same()).isTrue();
        assertThat(report.tables()).isEqualTo(10_000);
        assertThat(report.expected()).isEqualTo(BASE);
        assertThat(report.toString()).isEqualTo("10000 tables object_* share one schema (3 columns)");
    }

    @Test
    void aSpareOnSomeTablesIsAllowedOnlyWhenSparesAreAndEveryOtherDifferenceIsNamedWithItsTables() {
        SchemaSameness sameness = new SchemaSameness("object_*").allowingSpares("_spare_");
        for (int i = 0; i < 60; i++) {
            sameness.add("object_" + i, SchemaSameness.signature(i < 20 ? with(BASE, new ColumnShape("_spare_float64_1", "double precision")) : BASE));
        }
        sameness.add("object_odd", SchemaSameness.signature(List.of(BASE.get(1), BASE.get(0), BASE.get(2))));
        sameness.add("object_narrow", SchemaSameness.signature(List.of(BASE.get(0), new ColumnShape("ra", "real"), BASE.get(2))));
        SchemaReport report = sameness.report();

        assertThat(report.tables()).isEqualTo(62);
        assertThat(report.expected()).isEqualTo(BASE);
        assertThat(report.variants()).hasSize(3);
        SchemaReport.Variant refilled = report.variants().get(0);
        assertThat(refilled.tables()).isEqualTo(20);
        assertThat(refilled.allowed()).isTrue();
        assertThat(refilled.differences()).singleElement().hasToString(
                "_spare_float64_1: a spare the other tables do not have yet, found double precision (allowed)");
        assertThat(report.tablesOff()).isEqualTo(2);
        assertThat(report.variants()).filteredOn(v -> !v.allowed()).extracting(v -> v.named().get(0) + ": " + v.differences())
                .containsExactlyInAnyOrder("object_odd: [ra: another position, expected position 2, found position 1]",
                        "object_narrow: [ra: another type, expected double precision, found real]");
        assertThat(report.toString()).contains("40 of 62 tables object_* have the expected schema", "2 differ",
                "20 tables (allowed) [object_0", "and 10 more");
        assertThatThrownBy(report::requireAcceptable).isInstanceOfSatisfying(SchemaEvolutionException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_DRIFT));

        SchemaSameness strict = new SchemaSameness("object_*");
        strict.add("object_1", SchemaSameness.signature(BASE));
        strict.add("object_2", SchemaSameness.signature(BASE));
        strict.add("object_3", SchemaSameness.signature(with(BASE, new ColumnShape("_spare_float64_1", "double precision"))));
        assertThat(strict.report().acceptable()).as("without allowingSpares a spare is a difference").isFalse();
    }

    @Test
    void anExpectedSchemaIsComparedWithEvenWhenMostTablesDiffer() {
        List<ColumnShape> wanted = with(BASE, new ColumnShape("flux", "real"));
        SchemaSameness sameness = new SchemaSameness("object_*").expecting(wanted);
        sameness.add("object_1", SchemaSameness.signature(BASE));
        sameness.add("object_2", SchemaSameness.signature(BASE));
        sameness.add("object_3", SchemaSameness.signature(wanted));
        SchemaReport report = sameness.report();
        assertThat(report.expected()).isEqualTo(wanted);
        assertThat(report.variants()).singleElement().satisfies(variant -> {
            assertThat(variant.named()).containsExactly("object_1", "object_2");
            assertThat(variant.differences()).singleElement().hasToString("flux: missing, expected real");
        });
    }
}
