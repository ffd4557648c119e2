package io.github.schemaevolution.api.model;

import java.util.Objects;
import java.util.Optional;

/**
 * One column of a {@link Table}: its name, type, optional default and comment. A column accepts
 * NULL exactly when its type is nullable ({@link ColumnType#isNullable()}); there is no separate
 * flag that could disagree with the type.
 *
 * <p>Names are checked when the owning table is built, since the rules (uniqueness, the spare
 * prefix) depend on the table.
 */
public record Column(String name, ColumnType type, ColumnDefault defaultValue, String comment) {

    public Column {
        Objects.requireNonNull(type, "type of column " + name);
        comment = comment == null || comment.isEmpty() ? null : comment;
    }

    public static Column of(String name, ColumnType type) {
        return new Column(name, type, null, null);
    }

    public boolean isNullable() {
        return type.isNullable();
    }

    public Optional<ColumnDefault> defaultOptional() {
        return Optional.ofNullable(defaultValue);
    }

    public Optional<String> commentOptional() {
        return Optional.ofNullable(comment);
    }

    public Column withName(String newName) {
        return new Column(newName, type, defaultValue, comment);
    }

    public Column withType(ColumnType newType) {
        return new Column(name, newType, defaultValue, comment);
    }

    public Column withDefault(ColumnDefault newDefault) {
        return new Column(name, type, newDefault, comment);
    }

    public Column withComment(String newComment) {
        return new Column(name, type, defaultValue, newComment);
    }

    /** This column accepting NULL ({@link ColumnType#orNullable()}). */
    public Column nullable() {
        return withType(type.orNullable());
    }
}
