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
    List<Statement> createTable(Table table);

    Statement dropTable(String schema, String table);

    /** A non-materialized view over {@code table} exposing {@code columns} under their aliases. */
    Statement createOrReplaceView(String schema, String view, String table, List<ViewColumn> columns);

    Statement dropView(String schema, String view);

    Statement addColumn(Table table, Column column);

    Statement renameColumn(Table table, String from, String to);

    Statement dropColumn(Table table, String column);

    /** Changes a column's type; the statement's cost says whether the engine rewrites data. */
    Statement changeColumnType(Table table, String column, ColumnType newType);

    Introspector introspector();
}
