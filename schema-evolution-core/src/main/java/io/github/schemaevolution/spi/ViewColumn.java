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
 *                engines where nullability is a constraint, not a type; or an expression over the
 *                column {@code nullsFrom}, for rows a phased retype's backfill has not reached
 * @param nullsFrom the old column an expression {@code nullsAs} reads as {@code {old}}, or {@code null}
 */
public record ViewColumn(String source, String alias, ColumnType castTo, ColumnDefault nullsAs, String nullsFrom) {

    public ViewColumn {
        if (source == null && castTo == null) {
            throw new IllegalArgumentException("a NULL view column needs a type: " + alias);
        }
        if (nullsAs != null && source == null) {
            throw new IllegalArgumentException("a NULL view column has no value to replace NULL in: " + alias);
        }
    }

    public ViewColumn(String source, String alias, ColumnType castTo, ColumnDefault nullsAs) {
        this(source, alias, castTo, nullsAs, null);
    }

    public ViewColumn(String source, String alias, ColumnType castTo) {
        this(source, alias, castTo, null, null);
    }

    public ViewColumn(String source, String alias) {
        this(source, alias, null, null, null);
    }

    /**
     * The text that replaces NULL, for a dialect: a literal as the dialect renders it ({@code literal}),
     * or an expression in which {@code {old}} is the column {@link #nullsFrom()}, quoted by {@code quote}.
     */
    public String nullsAsSql(java.util.function.Function<String, String> literal, java.util.function.Function<String, String> quote) {
        if (nullsAs.value() instanceof ColumnDefault.Expression expression) {
            return nullsFrom == null ? expression.sql() : expression.sql().replace("{old}", quote.apply(nullsFrom));
        }
        return literal.apply(((ColumnDefault.Literal) nullsAs.value()).text());
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
