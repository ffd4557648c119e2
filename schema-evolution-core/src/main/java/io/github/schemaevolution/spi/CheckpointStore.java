package io.github.schemaevolution.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Where a chunked run records the chunks it finished, in the database it works on, so that a run
 * killed at any moment resumes with the same run id where it stopped.
 */
public interface CheckpointStore {

    /** Creates the checkpoint table if it is missing. */
    void ensureTable(Connection connection) throws SQLException;

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
