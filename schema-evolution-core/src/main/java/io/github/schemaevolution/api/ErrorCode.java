package io.github.schemaevolution.api;

/**
 * Why the library refused or failed an operation. Every {@link SchemaEvolutionException} carries
 * exactly one code, so callers can react to a class of failure without parsing messages.
 */
public enum ErrorCode {
    /** An identifier (table, column, view, index, spare prefix) is empty or blank. */
    IDENTIFIER_EMPTY(false),
    /** An identifier contains characters outside {@code [A-Za-z_][A-Za-z0-9_]*}. */
    IDENTIFIER_UNSAFE(false),
    /** An identifier is longer than the engine keeps (PostgreSQL silently truncates at 63 bytes). */
    IDENTIFIER_TOO_LONG(false),
    /** An identifier is a reserved word of the engine, or uses the prefix reserved for spare columns. */
    IDENTIFIER_RESERVED(false),
    /** Two columns (or indexes) share a name, compared without regard to case. */
    IDENTIFIER_DUPLICATE(false),
    /** A column type is malformed, for example {@code Decimal(80, 2)} or {@code Nullable(Nullable(Int8))}. */
    TYPE_INVALID(false),
    /** A well-formed column type that the target engine cannot hold. */
    TYPE_UNSUPPORTED(false),
    /** The model is inconsistent: a key names an unknown column, a required option is missing, ... */
    MODEL_INVALID(false),
    /** A raw SQL expression (default, partition key) contains statement separators or comments. */
    EXPRESSION_UNSAFE(false),
    /**
     * A text (comment, default, migration id, run id) holds a NUL character or an unpaired surrogate,
     * which an engine would refuse or store altered.
     */
    TEXT_INVALID(false),
    /** A model feature the target engine does not offer. */
    FEATURE_UNSUPPORTED(false),
    /** No dialect on the class path matches the requested name or JDBC URL. */
    DIALECT_NOT_FOUND(false),
    /** The table to create already exists. */
    TABLE_EXISTS(false),
    /** The schema (PostgreSQL) or database (ClickHouse) a table is to go to does not exist: the library creates tables, not schemas. */
    SCHEMA_NOT_FOUND(false),
    /** The table to read or change does not exist. */
    TABLE_NOT_FOUND(false),
    /** The live table could not be read back into the model. */
    INTROSPECTION_FAILED(false),
    /** A change names a column the table (at its current version) does not have. */
    COLUMN_NOT_FOUND(false),
    /** A change would add a column whose name is already in use. */
    COLUMN_EXISTS(false),
    /** No free spare column of the needed type family, and a native ADD COLUMN was not allowed. */
    POOL_EXHAUSTED(false),
    /** The change breaks an engine rule (key column, column used by a materialized view or an index) or a release policy. */
    CHANGE_FORBIDDEN(false),
    /**
     * A name the library would create (a view, its lock or history table, a staging table) is taken by
     * an object the library did not create; nothing is replaced or dropped.
     */
    NAME_TAKEN(false),
    /**
     * A chunk operation cannot be made exactly once on this engine (no transactions, and running it
     * again would change the result, as {@code x = x + 1} does); refused before any chunk runs.
     */
    OPERATION_NOT_REPEATABLE(false),
    /** A migration id was applied before with different content. */
    CHECKSUM_MISMATCH(false),
    /** The live schema differs from the version the history says it is at; the message carries the diff. */
    SCHEMA_DRIFT(false),
    /** The table has no schema history yet: register or adopt it first. */
    NOT_REGISTERED(false),
    /** A lock (migration lock, or a table lock under lock_timeout) was not obtained in time. */
    LOCK_TIMEOUT(true),
    /**
     * A user statement met a closed maintenance gate: it waited longer than the gate's queue timeout,
     * or the queue was full; or a maintainer found the gate held by another one.
     */
    MAINTENANCE(true),
    /** The database reported an error or the connection was lost; see the cause. */
    DATABASE_ERROR(true);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether retrying the same call unchanged may succeed (a lost connection may; a bad name never will). */
    public boolean retryable() {
        return retryable;
    }
}
