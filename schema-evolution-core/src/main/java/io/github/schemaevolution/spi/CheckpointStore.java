package io.github.schemaevolution.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a chunked run records the chunks it finished, in the database it works on, so that a run
 * killed at any moment resumes with the same run id where it stopped.
 */
public interface CheckpointStore {

    /** Creates the checkpoint tables if they are missing (the chunks' and the runs'). */
    void ensureTable(Connection connection) throws SQLException;

    /**
     * The chunk list recorded when run {@code runId} first started
     * ({@link io.github.schemaevolution.api.chunk.ChunkSource.Fixed#record()}), if it was recorded.
     */
    Optional<String> recordedSource(Connection connection, String runId) throws SQLException;

    /**
     * Records the chunk list of a run at its first start, unless one is recorded already, and returns
     * the record that holds: another runner's, when one of the same run recorded first. Every runner
     * of a run must then work from the same record.
     */
    String recordSource(Connection connection, String runId, String record) throws SQLException;

    /**
     * Which of {@code chunkIds} the run has finished. The runner asks for a window of a few hundred
     * chunks at a time: one round trip per window rather than per chunk, and never the whole list of
     * a 100,000-chunk run in memory.
     */
    Set<String> finished(Connection connection, String runId, List<String> chunkIds) throws SQLException;

    /**
     * Called first in a chunk's own transaction: makes the chunk this runner's until the transaction
     * ends, waiting while another runner of the same run (another instance of the application, say)
     * holds it, and returns false when that runner has finished it meanwhile. With {@link #markDone},
     * which refuses a second record, several runners may run the same run id at once and every chunk
     * is still applied once. Engines without transactions claim nothing: their chunk operations are
     * idempotent, and two runners may both apply a chunk.
     */
    default boolean claim(Connection connection, String runId, String chunkId) throws SQLException {
        return true;
    }

    /**
     * Records a finished chunk; on engines with transactions, inside the chunk's own transaction.
     * Returns false when another runner of the same run recorded it first: the runner then rolls the
     * chunk's transaction back, so that its work counts once.
     */
    boolean markDone(Connection connection, String runId, String chunkId, long rows) throws SQLException;
}
