package io.github.schemaevolution.spi;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a chunked run records the chunks it finished, in the database it works on, so that a run
 * killed at any moment resumes with the same run id where it stopped.
 */
public interface CheckpointStore {

    /** Creates the checkpoint table if it is missing. */
    void ensureTable(Connection connection) throws SQLException;

    boolean isDone(Connection connection, String runId, String chunkId) throws SQLException;

    /** Records a finished chunk; on engines with transactions, inside the chunk's own transaction. */
    void markDone(Connection connection, String runId, String chunkId, long rows) throws SQLException;
}
