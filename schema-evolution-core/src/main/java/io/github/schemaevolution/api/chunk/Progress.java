package io.github.schemaevolution.api.chunk;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A run's progress after a chunk finished.
 *
 * @param chunksDone      chunks finished by this run
 * @param chunksSkipped   chunks an earlier run of the same id had finished
 * @param chunksSeen      chunks read from the source so far (the total once the source is exhausted)
 * @param sourceExhausted whether the source has listed its last chunk
 * @param chunksCounted   the total the source counted when the run started, where it can count
 * @param rows            rows written by this run
 * @param elapsed         time since the run started
 */
public record Progress(String runId, long chunksDone, long chunksSkipped, long chunksSeen, boolean sourceExhausted,
                       OptionalLong chunksCounted, long rows, Duration elapsed) {

    /** All the chunks of the run: those listed, once the source is exhausted, or else those it counted. */
    public OptionalLong chunksTotal() {
        return sourceExhausted ? OptionalLong.of(chunksSeen) : chunksCounted;
    }

    /** Rows per second written by this run. */
    public double rowsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : rows / seconds;
    }

    /** Time left at the current chunk rate, once the total is known. */
    public Optional<Duration> estimatedTimeLeft() {
        OptionalLong total = chunksTotal();
        if (total.isEmpty() || chunksDone == 0) {
            return Optional.empty();
        }
        long left = Math.max(0, total.getAsLong() - chunksDone - chunksSkipped);
        return Optional.of(elapsed.multipliedBy(left).dividedBy(chunksDone));
    }
}
