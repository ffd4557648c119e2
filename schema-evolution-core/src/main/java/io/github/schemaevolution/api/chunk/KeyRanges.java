package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Key ranges of one table, on any engine: the span of an integer key cut into ranges of about
 * {@code rowsPerChunk} rows, the first reaching down to the smallest key and the last, with no
 * upper bound, up to the largest, so that every row has a chunk, those inserted after the start
 * included (those above the span are written with the last chunk, so a run over a growing table
 * covers the rows that were there when its last chunk ran).
 *
 * <p>The span is read when a run first starts and recorded with its checkpoints
 * ({@link ChunkSource#fix}): a resumed run cuts the same ranges, whatever was inserted or deleted
 * since and however the engine's statistics moved. Without that a resumed run would cut other
 * ranges, find none of them checkpointed, and apply every chunk again.
 */
public final class KeyRanges implements ChunkSource {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRanges.class);
    private static final Pattern RECORD = Pattern.compile(
            "keyRanges table=(\\S+) key=(\\S+) min=(-?\\d+) max=(-?\\d+) rows=(\\d+) rowsPerChunk=(\\d+)");

    /** How an engine reads the key's bounds and the table's rows. */
    @FunctionalInterface
    public interface SpanReader {
        KeySpan read(Connection connection, long rowsPerChunk) throws SQLException;
    }

    private final String table;
    private final String keyColumn;
    private final long rowsPerChunk;
    private final SpanReader reader;
    /** The span this source was fixed to, or {@code null} to read it on each call. */
    private final KeySpan fixed;

    private KeyRanges(String table, String keyColumn, long rowsPerChunk, SpanReader reader, KeySpan fixed) {
        this.table = Objects.requireNonNull(table, "table");
        this.keyColumn = Objects.requireNonNull(keyColumn, "keyColumn");
        this.rowsPerChunk = rowsPerChunk;
        this.reader = reader;
        this.fixed = fixed;
    }

    /** Ranges of {@code keyColumn} of {@code table} (names the dialect has checked), read by {@code reader}. */
    public static KeyRanges of(String table, String keyColumn, long rowsPerChunk, SpanReader reader) {
        if (rowsPerChunk < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, keyColumn, "rows per chunk must be positive", null);
        }
        return new KeyRanges(table, keyColumn, rowsPerChunk, Objects.requireNonNull(reader, "reader"), null);
    }

    @Override
    public Stream<Chunk> chunks(Connection connection) throws SQLException {
        return span(connection).cover(table, keyColumn);
    }

    @Override
    public OptionalLong count(Connection connection) throws SQLException {
        return OptionalLong.of(Math.max(1, span(connection).chunks()));
    }

    @Override
    public Fixed fix(Connection connection, Optional<String> recorded) throws SQLException {
        if (recorded.isEmpty()) {
            KeySpan span = reader.read(connection, rowsPerChunk);
            return new Fixed(new KeyRanges(table, keyColumn, rowsPerChunk, reader, span), record(span));
        }
        Matcher matcher = RECORD.matcher(recorded.get());
        if (!matcher.matches() || !matcher.group(1).equals(table) || !matcher.group(2).equals(keyColumn)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, table, keyColumn, "the run was started over another"
                    + " chunk list (" + recorded.get() + "); a run id names one run: start this one under a new id", null);
        }
        KeySpan span = new KeySpan(Long.parseLong(matcher.group(3)), Long.parseLong(matcher.group(4)),
                Long.parseLong(matcher.group(5)), Long.parseLong(matcher.group(6)));
        if (span.rowsPerChunk() != rowsPerChunk) {
            LOG.warn("key ranges of {}.{}: the run resumes with the {} rows per chunk it started with, not {}", table, keyColumn,
                    span.rowsPerChunk(), rowsPerChunk);
        }
        return new Fixed(new KeyRanges(table, keyColumn, rowsPerChunk, reader, span), recorded.get());
    }

    private KeySpan span(Connection connection) throws SQLException {
        return fixed != null ? fixed : reader.read(connection, rowsPerChunk);
    }

    private String record(KeySpan span) {
        return "keyRanges table=" + table + " key=" + keyColumn + " min=" + span.min() + " max=" + span.max() + " rows="
                + span.rows() + " rowsPerChunk=" + span.rowsPerChunk();
    }

    @Override
    public String toString() {
        return "key ranges of " + table + "." + keyColumn + (fixed == null ? "" : " over [" + fixed.min() + ", " + fixed.max() + "]");
    }
}
