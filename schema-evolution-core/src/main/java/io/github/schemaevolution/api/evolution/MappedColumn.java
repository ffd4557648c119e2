package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;

import java.util.Objects;

/** A column as readers of one version see it: its name and type, and the slot (and generation) holding its data. */
public record MappedColumn(String name, ColumnType type, String slot, int generation) {
    public MappedColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(slot, "slot");
    }
}
