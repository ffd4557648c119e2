package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.Table;

import java.util.List;
import java.util.Set;

/**
 * Everything the core needs from one database engine. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.github.schemaevolution.spi.Dialect}) and must be stateless and
 * thread-safe.
 *
 * <p>Rendering methods never touch a database. Every identifier they emit goes through
 * {@link #identifiers()}; every method that renders a table first applies {@link #validate(Table)},
 * so an unsupported type or an over-long name is refused before any SQL exists.
 */
public interface Dialect {

    /** Short lower-case name, e.g. {@code postgresql} or {@code clickhouse}. */
    String name();

    /** Whether this dialect serves a connection with this JDBC URL. */
    boolean acceptsJdbcUrl(String jdbcUrl);

    /** The dialect's single identifier validation and quoting path. */
    IdentifierRules identifiers();

    Set<Capability> capabilities();

    default boolean has(Capability capability) {
        return capabilities().contains(capability);
    }

    /**
     * The engine's type for a model type.
     *
     * @throws io.github.schemaevolution.api.SchemaEvolutionException TYPE_UNSUPPORTED naming the
     *         model type and the engine
     */
    String typeSql(ColumnType type);

    /** The model type for an engine type as its catalog reports it. */
    ColumnType modelType(String engineType);

    /**
     * Checks the engine's own rules on a table: identifier limits and reserved words, types it can
     * hold, layout options it supports.
     *
     * @throws io.github.schemaevolution.api.SchemaEvolutionException naming table, column and rule
     */
    void validate(Table table);

    /**
     * The table as this engine stores it: types the engine folds into others are folded (for
     * example PostgreSQL has no {@code LowCardinality} and no unsigned integers), options of other
     * engines are dropped. Introspection returns tables in this form, so
     * {@code introspect(create(t)) == canonical(t)}.
     */
    Table canonical(Table table);

    /** {@code CREATE TABLE} with the spare columns, then whatever the engine needs separately (comments). */
    List<DdlStatement> createTable(Table table);

    DdlStatement dropTable(String schema, String table);

    /** A non-materialized view over {@code table} exposing {@code columns} under their aliases. */
    DdlStatement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns);

    /** As {@link #createOrReplaceView(String, String, String, List)}, reading the table with {@code FINAL} when {@code collapsed}. */
    default DdlStatement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns, boolean collapsed) {
        if (collapsed) {
            throw new io.github.schemaevolution.api.SchemaEvolutionException(
                    io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " has no FINAL views");
        }
        return createOrReplaceView(schema, view, table, columns);
    }

    DdlStatement dropView(String schema, String view);

    /**
     * Where tables and views are locked in a migration's transaction: takes, before the migration's
     * first statement, the exclusive locks it will need on {@code table} and on the existing
     * {@code views} it replaces, all at once and without waiting in the lock queue (a request that
     * waits there makes every reader that comes after it wait too), trying again until {@code wait}
     * has passed. Then no statement of the migration waits for a lock, and no reader waits behind a
     * migration that waits. Taking them all at once also rules out the deadlock of a migration that
     * holds the table and wants a view against a reader that holds the view and wants the table.
     *
     * @throws java.sql.SQLException a transient one (lock not available) when {@code wait} passed
     */
    default void lockForMigration(java.sql.Connection connection, String schema, String table, List<String> views,
            java.time.Duration wait) throws java.sql.SQLException {
    }

    DdlStatement addColumn(Table table, Column column);

    DdlStatement renameColumn(Table table, String from, String to);

    /**
     * Brings the free spare {@code column}, stored as {@code stored}, into use as a column of type
     * {@code wanted} with the engine default {@code value} ({@code null} for none), without touching
     * rows where the engine can. {@code recycled} says the spare was in use before (a writer still on a
     * retired version may have written it since). Refuses, with a coded error saying what to do
     * instead, what the engine cannot do that way.
     */
    default SpareUse useSpare(Table table, String column, ColumnType stored, ColumnType wanted,
            io.github.schemaevolution.api.model.ColumnDefault value, boolean recycled) {
        if (value != null || !stored.equals(wanted)) {
            throw new io.github.schemaevolution.api.SchemaEvolutionException(
                    io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " cannot give spares defaults");
        }
        return new SpareUse(List.of(), stored, false, "NULL");
    }

    /**
     * Lets a column take NULL where nullability is a constraint (PostgreSQL {@code DROP NOT NULL}, catalog
     * only): the old column of a phased retype, which writers of the new version leave out. None where
     * nullability is part of the type.
     */
    default List<DdlStatement> dropNotNull(Table table, String column) {
        return List.of();
    }

    /**
     * The chunk operation of a phased retype's backfill: writes {@code expression} (over the old
     * column) into {@code column}, without overwriting what writers of the new version wrote there, and
     * idempotent, so that a run resumed after a crash, or run again, leaves the same values.
     */
    default io.github.schemaevolution.api.chunk.ChunkOperation backfill(String column, String expression) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " cannot backfill retyped columns");
    }

    /**
     * Removes the default or MATERIALIZED expression a spare had in use, before it is cleared for the
     * pool (so that the cleared rows do not read it); none where {@link #clearColumn} removes it itself.
     */
    default List<DdlStatement> removeDefault(Table table, String column, io.github.schemaevolution.api.model.ColumnDefault.Kind kind) {
        return List.of();
    }

    DdlStatement dropColumn(Table table, String column);

    /** Changes a column's type; the statement's cost says whether the engine rewrites data. */
    DdlStatement changeColumnType(Table table, String column, ColumnType newType);

    /**
     * Statements that empty a column (NULL, or the type's default where it cannot hold NULL) so
     * that it can return to the pool. They touch data, and say so in their cost.
     */
    default List<DdlStatement> clearColumn(Table table, String column, ColumnType type) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " cannot clear columns yet");
    }

    /**
     * Runs, on a connection in auto-commit mode, the statements of {@link #clearColumn} that touch
     * rows, after the migration that freed the column has committed: in short transactions where the
     * engine has them, so that the clearing of a billion rows is neither one huge transaction nor a
     * lock anyone waits for. Idempotent: a clearing cut off half-way is run again from the start.
     * By default the statements run as they are.
     */
    default void clearRows(java.sql.Connection connection, Table table, String column, ColumnType type)
            throws java.sql.SQLException {
        try (java.sql.Statement jdbc = connection.createStatement()) {
            for (DdlStatement statement : clearColumn(table, column, type)) {
                if (statement.cost() != DdlStatement.Cost.INSTANT) {
                    jdbc.execute(statement.sql());
                }
            }
        }
    }

    /** The column's type once {@link #clearColumn} ran (PostgreSQL drops NOT NULL to clear with NULL). */
    default ColumnType clearedType(ColumnType type) {
        return type;
    }

    /** The type as this engine stores it; {@link #canonical(Table)} applies it to every column. */
    default ColumnType canonicalType(ColumnType type) {
        return type;
    }

    /**
     * Prepares a connection (inside the migration's transaction, where there is one) so that each DDL
     * statement waits at most {@code lockTimeout} for a table lock. PostgreSQL sets {@code lock_timeout}.
     */
    default void prepareDdl(java.sql.Connection connection, java.time.Duration lockTimeout) throws java.sql.SQLException {
    }

    /**
     * Runs a migration's statements in order: {@link #prepareDdl}, {@link #lockForMigration} of
     * {@code table} and {@code views}, then each statement, calling {@code ran} with the number run
     * after each. Nothing is sent when there are no statements. A dialect may send them in fewer
     * round trips (PostgreSQL sends the lock and the statements of a transaction as one).
     */
    default void runMigration(java.sql.Connection connection, String schema, String table, List<String> views,
            List<DdlStatement> statements, java.time.Duration lockWait, java.time.Duration lockTimeout,
            java.util.function.IntConsumer ran) throws java.sql.SQLException {
        if (statements.isEmpty()) {
            return;
        }
        prepareDdl(connection, lockTimeout);
        lockForMigration(connection, schema, table, views, lockWait);
        try (java.sql.Statement jdbc = connection.createStatement()) {
            for (int i = 0; i < statements.size(); i++) {
                jdbc.execute(statements.get(i).sql());
                ran.accept(i + 1);
            }
        }
    }

    /** Whether a failed statement may succeed on retry (lock timeout, deadlock, serialization failure). */
    /**
     * The query of {@link io.github.schemaevolution.api.chunk.Checksums}: one row per chunk of
     * {@code table} (its label as text, its row count, and the sum of a hash of each row over
     * {@code columns} in that order, as text), all in one scan.
     */
    default String checksumQuery(String schema, String table, List<Column> columns,
                                 io.github.schemaevolution.api.chunk.Checksums.Chunking chunking) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " cannot compute checksums");
    }

    /** The chunk sources and operations of this engine, in the shape every engine shares. */
    default io.github.schemaevolution.api.chunk.Chunks chunks() {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " has no chunk operations");
    }

    /** Where this engine keeps the state of maintenance gates: tables named after {@code table}, in the connection's schema. */
    default GateStore gates(String table) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " has no maintenance gate");
    }

    default boolean isTransient(java.sql.SQLException error) {
        return false;
    }

    /** The schema history of this engine, kept in the table {@code historyTable}. */
    default HistoryStore history(String historyTable) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " keeps no schema history yet");
    }

    /** Checkpoints of chunked runs, kept in the table {@code checkpointTable} of the current schema. */
    default CheckpointStore checkpoints(String checkpointTable) {
        throw new io.github.schemaevolution.api.SchemaEvolutionException(
                io.github.schemaevolution.api.ErrorCode.FEATURE_UNSUPPORTED, name() + " keeps no chunk checkpoints yet");
    }

    Introspector introspector();
}
