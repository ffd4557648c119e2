package io.github.schemaevolution.spi;

import java.util.List;
import java.util.Objects;

import io.github.schemaevolution.api.model.ColumnType;

/**
 * What bringing a free spare into use as a column takes on one engine ({@link Dialect#useSpare}).
 *
 * @param statements         the DDL, after any rename of the spare: its default, a constraint for new rows
 * @param storedType         the spare's type once in use, as the engine's catalog will report it
 * @param nullsReadAsDefault whether the views must read NULL in older rows as the default
 * @param oldRows            what rows written before the change read in the column, for the plan's notes
 */
public record SpareUse(List<DdlStatement> statements, ColumnType storedType, boolean nullsReadAsDefault, String oldRows) {
    public SpareUse {
        statements = List.copyOf(statements);
        Objects.requireNonNull(storedType, "storedType");
        Objects.requireNonNull(oldRows, "oldRows");
    }
}
