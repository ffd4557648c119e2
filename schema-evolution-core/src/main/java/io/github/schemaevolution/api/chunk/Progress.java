package io.github.schemaevolution.api.chunk;

import java.time.Duration;
import java.util.Optional;

/**
 * A run's progress after a chunk finished.
 *
 * @param chunksDone    chunks finished by this run
 * @param chunksSkipped chunks an earlier run of the same id had finished
 * @param chunksSeen    chunks read from the source so far (the total once the source is exhausted)
 * @param rows          rows written by this run
 * @param elapsed       time since the run started
 */
public record Progress(String runId, long chunksDone, long chunksSkipped, long chunksSeen, boolean sourceExhausted,
                       long rows, Duration elapsed) {

    /** Rows per second written by this run. */
    public double rowsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : rows / seconds;
    }

    /** Time left at the current chunk rate, once the total is known. */
    public Optional<Duration> estimatedTimeLeft() {
        long left = chunksSeen - chunksDone - chunksSkipped;
        if (!sourceExhausted || chunksDone == 0) {
            return Optional.empty();
        }
        return Optional.of(elapsed.multipliedBy(left).dividedBy(chunksDone));
    }
}
