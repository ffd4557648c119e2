package io.github.schemaevolution.spi;

/**
 * Named differences between engines. Core code asks a dialect for a capability instead of
 * testing which engine it is talking to.
 */
public enum Capability {
    /** DDL can run inside a transaction and roll back (PostgreSQL). */
    TRANSACTIONAL_DDL,
    /** {@code RENAME COLUMN} only changes the catalog (PostgreSQL); on ClickHouse it is a mutation. */
    METADATA_ONLY_RENAME,
    /** Views store column references, so they follow a renamed column (PostgreSQL); ClickHouse views resolve names at query time. */
    VIEWS_FOLLOW_RENAMES,
    /** Two tables can swap names atomically ({@code EXCHANGE TABLES}). */
    EXCHANGE_TABLES,
    /** Session-scoped advisory locks exist (PostgreSQL {@code pg_advisory_lock}). */
    ADVISORY_LOCKS,
    /** A column's type cannot change while a view reads it (PostgreSQL): views are dropped and recreated around it. */
    ALTER_TYPE_BLOCKED_BY_VIEWS,
    /** {@code CREATE OR REPLACE VIEW} may change a view's columns freely (ClickHouse); PostgreSQL may only append. */
    VIEWS_REPLACE_ANY_SHAPE,
    /**
     * Nullability is part of a column's stored type (ClickHouse {@code Nullable(T)}), so a spare serves
     * columns of its own nullability only; where it is a constraint (PostgreSQL) any spare of the type
     * can serve a non-Nullable column.
     */
    NULLABLE_IS_STORED,
    /** Views can read a table with {@code FINAL} (ClickHouse), collapsing rows of the same key on read. */
    FINAL_VIEWS,
    /**
     * The dialect's views carry a mark that the library made them (ClickHouse: their comment), which
     * {@link Introspector#relations} reports as {@link Introspector#LIBRARY_VIEW}: a view left by a run
     * cut off before it recorded anything is known as the library's own, so an engine without
     * transactions need not record a plan that changes views only before it runs.
     */
    MARKED_VIEWS,
    /** {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS} and friends. */
    IDEMPOTENT_ALTER
}
