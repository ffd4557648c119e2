package io.github.schemaevolution.api.chunk;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a run does to each chunk. An operation must be idempotent for its chunk (running it twice
 * leaves the chunk as running it once), because a chunk interrupted before its checkpoint is run
 * again; on engines with transactions the runner also commits the chunk's work and its checkpoint
 * together, so a finished chunk is never redone.
 *
 * <p>The runner keeps one connection per worker for the whole run, so an operation must leave the
 * session as it found it: settings it needs are set for its transaction only (PostgreSQL
 * {@code set_config(..., true)}, {@code SET LOCAL}) or for its statement (ClickHouse {@code SETTINGS}).
 */
@FunctionalInterface
public interface ChunkOperation {
    /** Does the work for one chunk on {@code connection}; returns the rows it wrote. */
    long apply(Connection connection, Chunk chunk) throws SQLException;

    /**
     * Runs once before the first chunk, each time a run (or a resumed run) starts: sets up what the
     * chunks share, such as a staging table. Must be idempotent, like the chunks.
     */
    default void beforeRun(Connection connection, String runId) throws SQLException {
    }

    /**
     * Runs once when the run ends, whether it completed, failed or was cancelled, after its last chunk
     * in flight: releases what {@link #beforeRun} set up. A failure here is logged, not reported: the
     * chunks and their checkpoints are already safe.
     */
    default void afterRun(Connection connection, String runId) throws SQLException {
    }

    /**
     * What the operation would run on {@code chunk}, for {@link ChunkRunner#plan}: how it writes
     * (in place, by rewriting the chunk, DDL) and the statements, without running them.
     */
    default String describe(Connection connection, Chunk chunk) throws SQLException {
        return "a custom operation (" + getClass().getName() + ")";
    }

    /** How an operation describes what it runs on a chunk. */
    @FunctionalInterface
    interface Description {
        String describe(Connection connection, Chunk chunk) throws SQLException;
    }

    /** {@code work}, described for plans by {@code description}. */
    static ChunkOperation described(ChunkOperation work, Description description) {
        return new ChunkOperation() {
            @Override
            public long apply(Connection connection, Chunk chunk) throws SQLException {
                return work.apply(connection, chunk);
            }

            @Override
            public String describe(Connection connection, Chunk chunk) throws SQLException {
                return description.describe(connection, chunk);
            }
        };
    }
}
