package io.github.schemaevolution.api.chunk;

/**
 * A dry run of a chunked run: what it would do, and how much of it is left. Nothing is written
 * while planning; the chunk list and the checkpoints are read as the run would read them.
 *
 * @param chunks         chunks the source lists
 * @param chunksFinished chunks an earlier run with the same id finished (they would be skipped)
 * @param rowsToWrite    estimated rows of the chunks left (from the engine's statistics)
 * @param firstChunk     the first chunk left, or {@code null} when none is
 * @param operation      what the operation would run on {@code firstChunk}: its strategy and statements
 */
public record RunPlan(String runId, long chunks, long chunksFinished, long rowsToWrite, String firstChunk, String operation) {

    public long chunksLeft() {
        return chunks - chunksFinished;
    }

    @Override
    public String toString() {
        return "run " + runId + ": " + chunksLeft() + " of " + chunks + " chunks left (" + chunksFinished + " finished), about "
                + rowsToWrite + " rows" + (firstChunk == null ? "" : "; first chunk " + firstChunk + ": " + operation);
    }
}
