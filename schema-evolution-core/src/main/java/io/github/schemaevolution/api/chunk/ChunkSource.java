package io.github.schemaevolution.api.chunk;

import java.sql.Connection;
import java.sql.SQLException;
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
        };
    }
}
