package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;

import java.util.Optional;

/**
 * One column of a {@link Table}: its name, type, optional default and comment. A column accepts
 * NULL exactly when its type is nullable ({@link ColumnType#isNullable()}); there is no separate
 * flag that could disagree with the type.
 *
 * <p>Names are checked when the owning table is built, since the rules (uniqueness, the spare
 * prefix) depend on the table; a name or comment holding a NUL character or an unpaired surrogate
 * is refused here, with TEXT_INVALID, and a missing type with TYPE_INVALID.
 */
public record Column(String name, ColumnType type, ColumnDefault defaultValue, String comment) {

    public Column {
        Texts.check(name, "column name", null, name);
        if (type == null) {
            throw new SchemaEvolutionException(ErrorCode.TYPE_INVALID, null, name, "the column's type is required", null);
        }
        comment = comment == null || comment.isEmpty() ? null : Texts.check(comment, "column comment", null, name);
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
