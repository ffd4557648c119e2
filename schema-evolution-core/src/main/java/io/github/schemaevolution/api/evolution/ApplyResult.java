package io.github.schemaevolution.api.evolution;

import java.util.Optional;

/** What {@code apply} did: the version the table is at now, and whether this call changed anything. */
public record ApplyResult(Outcome outcome, SchemaVersion version, Plan plan) {

    public enum Outcome {
        /** This call ran the migration. */
        APPLIED,
        /** The migration was applied before (by this or another instance) with the same content; nothing ran. */
        ALREADY_APPLIED,
        /** This call completed a migration that an earlier, interrupted run had started. */
        RESUMED
    }

    /** The plan that ran, when this call ran one. */
    public Optional<Plan> executedPlan() {
        return Optional.ofNullable(plan);
    }
}
