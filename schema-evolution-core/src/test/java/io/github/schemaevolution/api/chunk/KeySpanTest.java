package io.github.schemaevolution.api.chunk;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeySpanTest {

    @Test
    void rangesCoverTheSpanOnceAndHoldAboutTheRowsAsked() {
        List<Chunk.KeyRange> ranges = ranges(new KeySpan(-5, 99_994, 50_000, 1_000));
        assertThat(ranges).hasSize(50);
        assertThat(ranges.get(0).from()).isEqualTo(-5);
        assertThat(ranges.get(ranges.size() - 1).to()).isEqualTo(99_995);
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i).from()).as("no gap, no overlap").isEqualTo(ranges.get(i - 1).to());
        }
        assertThat(ranges).allSatisfy(range -> {
            assertThat(range.to() - range.from()).isEqualTo(2_000);
            assertThat(range.estimatedRows()).isEqualTo(1_000);
        });
    }

    @Test
    void theLastRangeEndsAtTheMaximumAndTheCountMatchesTheList() {
        KeySpan span = new KeySpan(1, 10, 10, 3);
        List<Chunk.KeyRange> ranges = ranges(span);
        assertThat(ranges).extracting(Chunk.KeyRange::from).containsExactly(1L, 4L, 7L, 10L);
        assertThat(ranges.get(3).to()).isEqualTo(11);
        assertThat(span.chunks()).isEqualTo(ranges.size());
    }

    @Test
    void withoutAnEstimateEachRangeSpansTheRowsAskedInKeys() {
        KeySpan span = new KeySpan(0, 999, 0, 100);
        assertThat(span.width()).isEqualTo(100);
        assertThat(ranges(span)).hasSize(10).allSatisfy(range -> assertThat(range.estimatedRows()).isZero());
    }

    @Test
    void anEmptyTableHasNoRangesAndAChunkSizeMustBePositive() {
        assertThat(KeySpan.empty(10).chunks()).isZero();
        assertThat(ranges(KeySpan.empty(10))).isEmpty();
        assertThatThrownBy(() -> new KeySpan(0, 10, 10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    private static List<Chunk.KeyRange> ranges(KeySpan span) {
        return span.ranges("t", "id").map(Chunk.KeyRange.class::cast).toList();
    }
}
