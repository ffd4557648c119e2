package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.spi.DdlStatement;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What applying a migration will run, in order, with the cost class of each statement, and the
 * version it leads to. Making a plan reads the catalog and the history but changes nothing.
 *
 * @param statements the migration's statements, in its transaction where the engine has them
 * @param afterCommit statements that touch data and run once the migration has committed, each on
 *                    its own, so that no reader waits for them behind the migration's locks (the
 *                    clearing of a dropped column on PostgreSQL); the spares they clear come back
 *                    into use only when they are done
 * @param replacedViews the existing views the statements replace or drop: an engine that locks views
 *                    and tables in the same transaction locks these first, as their readers do
 * @param notes       what the statements do not show, one line per column: which spare an add takes and
 *                    what the rows that exist read in it (NULL, the type's empty value, or the default)
 * @param changesTable whether a statement changes the table itself rather than only its views: a plan
 *                    that does not leaves the table as it was checked before it ran
 */
public record Plan(Migration migration, SchemaVersion from, SchemaVersion to, List<DdlStatement> statements,
                   List<DdlStatement> afterCommit, List<String> replacedViews, List<String> notes, boolean changesTable) {

    public Plan {
        statements = List.copyOf(statements);
        afterCommit = List.copyOf(afterCommit);
        replacedViews = List.copyOf(replacedViews);
        notes = List.copyOf(notes);
    }

    public Plan(Migration migration, SchemaVersion from, SchemaVersion to, List<DdlStatement> statements) {
        this(migration, from, to, statements, List.of(), List.of(), List.of(), !statements.isEmpty());
    }

    /** The worst cost among the statements: INSTANT when every step is metadata only. */
    public DdlStatement.Cost cost() {
        return java.util.stream.Stream.concat(statements.stream(), afterCommit.stream()).map(DdlStatement::cost)
                .max(Enum::compareTo).orElse(DdlStatement.Cost.INSTANT);
    }

    /** The plan as an SQL script, each statement followed by its cost class; the statements run after the commit last. */
    public String sql() {
        return java.util.stream.Stream.concat(statements.stream().map(s -> s.sql() + ";  -- " + s.cost()),
                afterCommit.stream().map(s -> s.sql() + ";  -- " + s.cost() + ", after the commit"))
                .collect(Collectors.joining("\n"));
    }

    @Override
    public String toString() {
        return "plan " + migration.id() + " for " + to.display() + ": v" + from.version() + " -> v" + to.version()
                + " (" + cost() + ")\n" + notes.stream().map(note -> "-- " + note + "\n").collect(Collectors.joining()) + sql();
    }
}
