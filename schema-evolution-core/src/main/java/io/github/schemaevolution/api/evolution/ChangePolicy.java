package io.github.schemaevolution.api.evolution;

import java.util.Locale;
import java.util.Optional;

/**
 * Which changes a table accepts. A {@linkplain Release published release} carries one, and so can a
 * whole deployment ({@link EvolutionSettings#withPolicy}), for example {@link #ADDITIVE} for the
 * production stage. A change the policy refuses fails at plan time with
 * {@link io.github.schemaevolution.api.ErrorCode#CHANGE_FORBIDDEN}, naming the rule, before anything runs.
 */
public enum ChangePolicy {
    /** Every change the library supports. */
    ANY,
    /**
     * Only changes that keep the result of every query a reader of any version can run: adding a
     * column, widening a type losslessly, refilling the pool, absorbing a hand-made column, retiring
     * versions older than every release, publishing. Refused, each by its rule: {@code no-drop},
     * {@code no-rename}, {@code no-retype} (a retype changes the values readers see, lossless or not),
     * {@code no-view-change} (reading views with or without FINAL), {@code keep-release-version}
     * (retiring a release's version), and {@code no-update} (a backfill or any other update of
     * existing values).
     */
    ADDITIVE;

    /** The rule of this policy that refuses {@code change}, with why, or empty when it accepts it. */
    public Optional<String> refusal(Change change) {
        if (this == ANY) {
            return Optional.empty();
        }
        if (change instanceof Change.DropColumn) {
            return Optional.of("no-drop: a dropped column's values are gone for its readers");
        }
        if (change instanceof Change.RenameColumn) {
            return Optional.of("no-rename: queries that name the column would fail");
        }
        if (change instanceof Change.RetypeColumn) {
            return Optional.of("no-retype: readers would see other values (widen losslessly instead)");
        }
        if (change instanceof Change.FinalViews) {
            return Optional.of("no-view-change: reading with or without FINAL changes what queries return");
        }
        return Optional.empty();
    }

    /** The rule that refuses updating existing values, such as a backfill. */
    public Optional<String> refusalOfUpdates() {
        return this == ANY ? Optional.empty() : Optional.of("no-update: existing values are not written again");
    }

    /** The lower-case name, as migration files and the history spell it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@link #label()} back. */
    public static ChangePolicy of(String label) {
        for (ChangePolicy policy : values()) {
            if (policy.label().equals(label)) {
                return policy;
            }
        }
        throw new io.github.schemaevolution.api.SchemaEvolutionException(io.github.schemaevolution.api.ErrorCode.MODEL_INVALID,
                "unknown change policy '" + label + "': one of any, additive");
    }
}
