package io.github.schemaevolution.api.chunk;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a run does to each chunk. An operation must be idempotent for its chunk (running it twice
 * leaves the chunk as running it once), because a chunk interrupted before its checkpoint is run
 * again; on engines with transactions the runner also commits the chunk's work and its checkpoint
 * together, so a finished chunk is never redone.
 */
@FunctionalInterface
public interface ChunkOperation {
    /** Does the work for one chunk on {@code connection}; returns the rows it wrote. */
    long apply(Connection connection, Chunk chunk) throws SQLException;
}
