package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.model.ColumnDefault;

import io.github.schemaevolution.api.model.ColumnType;

/**
 * One column of a view: the physical column it reads, the name readers see, and optionally the
 * type to cast to. A column with no source is a typed NULL: that is how the view of an old
 * version keeps answering for a column whose spare has since been cleared and recycled, without
 * ever showing the spare's new data under the old name.
 *
 * @param source the physical column, or {@code null} for a typed NULL
 * @param alias  the name readers see
 * @param castTo the type readers of this view expect, or {@code null} to expose the column as is
 * @param nullsAs a literal default that NULL in the source reads as ({@code COALESCE}), or {@code null}:
 *                rows written before a spare came into use as a non-Nullable column hold NULL on
 *                engines where nullability is a constraint, not a type
 */
public record ViewColumn(String source, String alias, ColumnType castTo, ColumnDefault nullsAs) {

    public ViewColumn {
        if (source == null && castTo == null) {
            throw new IllegalArgumentException("a NULL view column needs a type: " + alias);
        }
        if (nullsAs != null && source == null) {
            throw new IllegalArgumentException("a NULL view column has no value to replace NULL in: " + alias);
        }
    }

    public ViewColumn(String source, String alias, ColumnType castTo) {
        this(source, alias, castTo, null);
    }

    public ViewColumn(String source, String alias) {
        this(source, alias, null, null);
    }

    public static ViewColumn same(String name) {
        return new ViewColumn(name, name, null);
    }

    public static ViewColumn nullAs(String alias, ColumnType type) {
        return new ViewColumn(null, alias, type);
    }

    public boolean isNull() {
        return source == null;
    }
}
