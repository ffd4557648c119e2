package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a writer pinned to one version holds: the version's logical columns in order, with the
 * physical column each one is written to. It stays valid while the table moves on: later drops
 * retain the columns it writes, renames leave physical names alone, and adds never reuse them, until
 * its version is retired.
 *
 * @param logical  the version's columns a writer writes, as readers of its view see them: all of them
 *                 but those the engine computes (MATERIALIZED)
 * @param physical the physical column of each, in the same order: the column list of an INSERT, or
 *                 the names of a client-v2 RowBinary insert
 */
public record WriterMapping(String schema, String table, int version, List<String> logical, List<String> physical) {

    public WriterMapping {
        logical = List.copyOf(logical);
        physical = List.copyOf(physical);
    }

    static WriterMapping of(SchemaVersion version) {
        List<String> logical = version.columns().stream().filter(column -> !computed(version.slot(column.slot())))
                .map(MappedColumn::name).toList();
        return new WriterMapping(version.schema(), version.table(), version.version(), logical,
                logical.stream().map(version::physicalName).toList());
    }

    private static boolean computed(Slot slot) {
        return slot.defaultValue() != null && slot.defaultValue().computed();
    }

    /** The physical column of {@code column}, as {@link SchemaVersion#physicalName} says. */
    public String physicalName(String column) {
        int index = logical.indexOf(column);
        if (index < 0) {
            throw new io.github.schemaevolution.api.SchemaEvolutionException(io.github.schemaevolution.api.ErrorCode.COLUMN_NOT_FOUND,
                    table, column, "no such column at version " + version, null);
        }
        return physical.get(index);
    }

    /**
     * {@code INSERT INTO <table> (<physical columns>) VALUES (?, ...)} for {@code dialect}, every
     * identifier quoted by its rules: a statement to prepare, its parameters in the order of {@link #logical()}.
     */
    public String insertSql(Dialect dialect) {
        String columns = physical.stream().map(name -> dialect.identifiers().quote(Kind.COLUMN, table, name))
                .collect(Collectors.joining(", "));
        return "INSERT INTO " + dialect.identifiers().qualified(schema, table) + " (" + columns + ") VALUES ("
                + String.join(", ", Collections.nCopies(physical.size(), "?")) + ")";
    }
}
