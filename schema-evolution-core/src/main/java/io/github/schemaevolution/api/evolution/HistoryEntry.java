package io.github.schemaevolution.api.evolution;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of a table's schema history: the migration that produced {@code version}, its checksum,
 * whether it finished, when, by which application instance, and the resulting {@link SchemaVersion}.
 *
 * @param previous the state of the entry before this one in the history, if any: {@link #storedState()}
 *                 is the change from it
 */
public record HistoryEntry(String table, int version, String migrationId, String description, String checksum,
                           Status status, Instant startedAt, Instant finishedAt, String appliedBy,
                           SchemaVersion state, SchemaVersion previous) {

    /** A migration is STARTED before its first statement on engines without transactional DDL. */
    public enum Status { STARTED, APPLIED }

    public HistoryEntry {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(state, "state");
        if (previous != null && previous.version() >= version) {
            previous = null;
        }
    }

    /** An entry stored in full. */
    public HistoryEntry(String table, int version, String migrationId, String description, String checksum, Status status,
            Instant startedAt, Instant finishedAt, String appliedBy, SchemaVersion state) {
        this(table, version, migrationId, description, checksum, status, startedAt, finishedAt, appliedBy, state, null);
    }

    /** This entry recording {@code newState}: a version whose clearing spares came free after it was applied. */
    HistoryEntry withState(SchemaVersion newState) {
        return new HistoryEntry(table, version, migrationId, description, checksum, status, startedAt, finishedAt,
                appliedBy, newState, previous);
    }

    public HistoryEntry applied(Instant finished) {
        return new HistoryEntry(table, version, migrationId, description, checksum, Status.APPLIED, startedAt,
                finished, appliedBy, state, previous);
    }

    /** What the history stores of {@link #state()}: its change from {@link #previous()}, or all of it without one. */
    public String storedState() {
        return state.encode(previous);
    }
}
