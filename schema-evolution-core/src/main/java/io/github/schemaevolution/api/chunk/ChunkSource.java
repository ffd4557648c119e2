package io.github.schemaevolution.api.chunk;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Where the chunks of a run come from. Sources stream: a catalog of 100,000 chunk tables is read
 * from the catalog as the run goes, never held as a list. The stream is closed when the run ends.
 */
@FunctionalInterface
public interface ChunkSource {
    /** The chunks, in a stable order; {@code connection} stays open until the stream is closed. */
    Stream<Chunk> chunks(Connection connection) throws SQLException;

    /**
     * How many chunks {@link #chunks} will list, where the source can tell with one cheap query, so
     * that progress can say "done of total" and estimate the time left before the list is read to its end.
     */
    default OptionalLong count(Connection connection) throws SQLException {
        return OptionalLong.empty();
    }

    /**
     * The chunk list of one run, fixed when the run first starts so that every later start of the
     * same run id (a resume after a crash, another instance) works through the same chunks, whatever
     * changed in the table or in its statistics meanwhile. The runner keeps {@link Fixed#record()}
     * with the run's checkpoints and hands it back here on every later start.
     *
     * <p>Sources whose chunks are named (partitions, chunk tables) are the same list whenever they are
     * read, and record nothing: this default. Sources that compute their chunks (key ranges cut from
     * the key's bounds and a row estimate) must record what they computed.
     *
     * @param recorded the record of the run's first start, or empty when this is that start
     */
    default Fixed fix(Connection connection, Optional<String> recorded) throws SQLException {
        return new Fixed(this, null);
    }

    /**
     * A chunk list fixed for a run.
     *
     * @param source the source to run, listing the same chunks on every start of the run
     * @param record what to keep with the checkpoints to list them again, or {@code null} when the
     *               chunks are named and nothing needs keeping
     */
    record Fixed(ChunkSource source, String record) {
        public Fixed {
            java.util.Objects.requireNonNull(source, "source");
        }
    }

    /** How a source counts its chunks. */
    @FunctionalInterface
    interface Counter {
        long count(Connection connection) throws SQLException;
    }

    /** {@code source}, counted by {@code counter}. */
    static ChunkSource counted(ChunkSource source, Counter counter) {
        return new ChunkSource() {
            @Override
            public Stream<Chunk> chunks(Connection connection) throws SQLException {
                return source.chunks(connection);
            }

            @Override
            public OptionalLong count(Connection connection) throws SQLException {
                return OptionalLong.of(counter.count(connection));
            }

            @Override
            public Fixed fix(Connection connection, Optional<String> recorded) throws SQLException {
                Fixed fixed = source.fix(connection, recorded);
                return fixed.source() == source ? new Fixed(this, fixed.record()) : fixed;
            }
        };
    }
}
