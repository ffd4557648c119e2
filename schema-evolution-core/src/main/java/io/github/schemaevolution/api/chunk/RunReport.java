package io.github.schemaevolution.api.chunk;

import java.time.Duration;
import java.util.Optional;

/** How a run ended. */
public record RunReport(String runId, Outcome outcome, long chunksDone, long chunksSkipped, long rows, long retries,
                        Duration elapsed, Duration throttled, String failedChunk, Throwable failure) {

    public enum Outcome {
        /** Every chunk is done (by this run or an earlier one with the same id). */
        COMPLETED,
        /** Stopped by {@link ChunkRunner.Handle#cancel()}; finished chunks keep their checkpoints. */
        CANCELLED,
        /** A chunk failed with an error that is not transient, or failed every retry; see {@link #failedChunk()}. */
        FAILED
    }

    public Optional<String> failedChunkId() {
        return Optional.ofNullable(failedChunk);
    }
}
