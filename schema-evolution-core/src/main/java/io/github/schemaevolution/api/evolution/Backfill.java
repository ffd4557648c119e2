package io.github.schemaevolution.api.evolution;

import java.util.Objects;

/**
 * The backfill of a phased retype ({@link Change.RetypeColumn}), kept on the slot that takes the new
 * type: its values come from slot {@code fromSlot} through {@code expression}, in which {@code {old}}
 * stands for that slot's physical column. Until {@code done}, rows the backfill has not reached read the
 * expression (a view {@code COALESCE} on PostgreSQL, a column default on ClickHouse); the older
 * versions that read {@code fromSlot} can be retired only once it is done.
 */
public record Backfill(String fromSlot, String expression, boolean done) {
    /** Where an expression names the old column. */
    public static final String OLD = "{old}";

    public Backfill {
        Objects.requireNonNull(fromSlot, "fromSlot");
        Objects.requireNonNull(expression, "expression");
    }

    /** The expression over {@code quotedOldColumn}, the old column as the engine's identifier rules quote it. */
    public String over(String quotedOldColumn) {
        return expression.replace(OLD, quotedOldColumn);
    }

    Backfill finished() {
        return new Backfill(fromSlot, expression, true);
    }
}
