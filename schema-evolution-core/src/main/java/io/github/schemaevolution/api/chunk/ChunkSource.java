package io.github.schemaevolution.api.chunk;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.Stream;

/**
 * Where the chunks of a run come from. Sources stream: a catalog of 100,000 chunk tables is read
 * from the catalog as the run goes, never held as a list. The stream is closed when the run ends.
 */
@FunctionalInterface
public interface ChunkSource {
    /** The chunks, in a stable order; {@code connection} stays open until the stream is closed. */
    Stream<Chunk> chunks(Connection connection) throws SQLException;
}
