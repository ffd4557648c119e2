package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.spi.Statement;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What applying a migration will run, in order, with the cost class of each statement, and the
 * version it leads to. Making a plan reads the catalog and the history but changes nothing.
 */
public record Plan(Migration migration, SchemaVersion from, SchemaVersion to, List<Statement> statements) {

    public Plan {
        statements = List.copyOf(statements);
    }

    /** The worst cost among the statements: INSTANT when every step is metadata only. */
    public Statement.Cost cost() {
        return statements.stream().map(Statement::cost).max(Enum::compareTo).orElse(Statement.Cost.INSTANT);
    }

    /** The plan as an SQL script, each statement followed by its cost class. */
    public String sql() {
        return statements.stream().map(s -> s.sql() + ";  -- " + s.cost()).collect(Collectors.joining("\n"));
    }

    @Override
    public String toString() {
        return "plan " + migration.id() + " for " + to.display() + ": v" + from.version() + " -> v" + to.version()
                + " (" + cost() + ")\n" + sql();
    }
}
