package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;

/**
 * How the engine fills a column the writer leaves out. {@link Kind#MATERIALIZED} is ClickHouse's
 * "always computed, never written" column; PostgreSQL has no such thing and stores it as a plain
 * {@code DEFAULT}.
 */
public record ColumnDefault(Kind kind, Value value) {

    /**
     * {@code DEFAULT}: stored, written by the engine when an insert leaves the column out;
     * {@code MATERIALIZED}: stored, always computed, never written by inserts (PostgreSQL: a plain default);
     * {@code ALIAS}: never stored, computed on every read from other columns (ClickHouse {@code ALIAS},
     * PostgreSQL 18 {@code GENERATED ALWAYS AS (...) VIRTUAL}); an expression only.
     */
    public enum Kind { DEFAULT, MATERIALIZED, ALIAS }

    /** The value itself: a literal, the current time, or a raw engine expression. */
    public sealed interface Value permits Literal, Now, Expression {
    }

    /**
     * A constant, kept as its text ({@code "42"}, {@code "true"}, {@code "abc"}); the dialect renders
     * it as a number, boolean or quoted string according to the column's type.
     */
    public record Literal(String text) implements Value {
        public Literal {
            if (text == null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a default literal needs a value");
            }
            Texts.check(text, "default literal", null, null);
        }
    }

    /** The time of the insert, at the column's precision ({@code now()}, {@code now64(3)}, {@code CURRENT_TIMESTAMP}). */
    public record Now() implements Value {
    }

    /**
     * An engine expression rendered verbatim. It is trusted input, like a migration script, so it
     * is only refused when it could end the statement: a {@code ;} or a comment opener.
     */
    public record Expression(String sql) implements Value {
        public Expression {
            Texts.check(sql, "default expression", null, null);
            if (sql == null || sql.isBlank() || sql.contains(";") || sql.contains("--") || sql.contains("/*")) {
                throw new SchemaEvolutionException(ErrorCode.EXPRESSION_UNSAFE,
                        "default expression '" + Texts.abbreviate(sql, 120) + "' is empty or contains ';', '--' or '/*'");
            }
        }
    }

    public ColumnDefault {
        if (kind == null || value == null) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a column default needs a kind and a value");
        }
        if (kind == Kind.ALIAS && !(value instanceof Expression)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "an ALIAS column is an expression over other columns");
        }
    }

    /** A constant; {@code null} is refused (a nullable column's default is already NULL). */
    public static ColumnDefault literal(Object value) {
        if (value == null) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a default literal needs a value");
        }
        return new ColumnDefault(Kind.DEFAULT, new Literal(String.valueOf(value)));
    }

    public static ColumnDefault now() {
        return new ColumnDefault(Kind.DEFAULT, new Now());
    }

    public static ColumnDefault expression(String sql) {
        return new ColumnDefault(Kind.DEFAULT, new Expression(sql));
    }

    /**
     * Whether this default is one a column of {@code type} can have: a literal of the type (a number in
     * its range, a date, a UUID, one of an enumeration's names...), or the current time for a date or
     * time. Raw expressions always fit: only the engine can tell. Tables refuse defaults that do not fit.
     */
    public boolean fits(ColumnType type) {
        return DefaultCheck.problem(type, value) == null;
    }

    /** The same expression as a column computed on every read and never stored ({@link Kind#ALIAS}). */
    public ColumnDefault alias() {
        return new ColumnDefault(Kind.ALIAS, value);
    }

    /** Whether writers leave the column out: the engine computes it (MATERIALIZED, ALIAS). */
    public boolean computed() {
        return kind != Kind.DEFAULT;
    }

    /** The same value, computed by the engine and never written by inserts. */
    public ColumnDefault materialized() {
        return new ColumnDefault(Kind.MATERIALIZED, value);
    }
}
