package io.github.schemaevolution.api.chunk;

import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The span of an integer key, {@code [min, max]}, holding about {@code rows} rows, cut into ranges of
 * about {@code rowsPerChunk} rows each: what a key-range chunk source lists, on any engine, from the
 * engine's bounds and row estimate. Ranges are made as they are read.
 */
public record KeySpan(long min, long max, long rows, long rowsPerChunk) {
    public KeySpan {
        if (rowsPerChunk < 1) {
            throw new IllegalArgumentException("rows per chunk must be positive, got " + rowsPerChunk);
        }
    }

    /** A table without rows: no ranges. */
    public static KeySpan empty(long rowsPerChunk) {
        return new KeySpan(0, -1, 0, rowsPerChunk);
    }

    /** Keys per range: the span shared so that each range holds about {@code rowsPerChunk} rows. */
    public long width() {
        long span = max - min + 1;
        return rows <= 0 ? rowsPerChunk : Math.max(1, span * rowsPerChunk / rows);
    }

    public long chunks() {
        long span = max - min + 1;
        return span <= 0 ? 0 : (span + width() - 1) / width();
    }

    /** The ranges of the span, from {@code min} to {@code max}. */
    public Stream<Chunk> ranges(String table, String keyColumn) {
        return ranges(table, keyColumn, false);
    }

    /**
     * The ranges of the span, the first reaching down to {@link Long#MIN_VALUE} and the last
     * {@linkplain Chunk.KeyRange#open() open above}: every key has a range, keys outside the span
     * included. One range covering every key when the span is empty.
     */
    public Stream<Chunk> cover(String table, String keyColumn) {
        if (chunks() == 0) {
            return Stream.of(new Chunk.KeyRange(table, keyColumn, Long.MIN_VALUE, Long.MAX_VALUE, 0));
        }
        return ranges(table, keyColumn, true);
    }

    private Stream<Chunk> ranges(String table, String keyColumn, boolean cover) {
        long width = width();
        long count = chunks();
        long rowsEach = rows <= 0 || count == 0 ? 0 : Math.max(1, rows / count);
        return LongStream.range(0, count).mapToObj(i -> new Chunk.KeyRange(table, keyColumn,
                cover && i == 0 ? Long.MIN_VALUE : min + i * width,
                cover && i == count - 1 ? Long.MAX_VALUE : Math.min(max + 1, min + (i + 1) * width), rowsEach));
    }
}
