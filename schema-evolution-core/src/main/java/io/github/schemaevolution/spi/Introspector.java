package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.model.Table;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;

/** Reads a live table back into the model. */
public interface Introspector {

    /**
     * @param schema      schema (PostgreSQL) or database (ClickHouse); {@code null} for the current one
     * @param sparePrefix columns whose names start with it are read as the reserve pool
     * @return the table as the engine stores it, in the dialect's canonical form
     *         ({@link Dialect#canonical(Table)}), or empty when it does not exist
     */
    Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException;

    /**
     * Every physical column, spares included, in catalog order, with canonical types and without
     * defaults or comments: what verification compares. Empty when the table does not exist.
     */
    default List<Column> physicalColumns(Connection connection, String schema, String table) throws SQLException {
        throw unsupported("reading physical columns");
    }

    /**
     * The columns of a table or a view, as {@link #physicalColumns} reads a table's: what a comparison of
     * two relations (checksums, the views of two copies) reads. Empty when neither exists.
     */
    default List<Column> relationColumns(Connection connection, String schema, String relation) throws SQLException {
        return physicalColumns(connection, schema, relation);
    }

    /**
     * {@link #relationColumns(Connection, String, String)} of several relations, from as few looks at the
     * catalog as the engine allows: those that exist, each with its columns.
     */
    default Map<String, List<Column>> relationColumns(Connection connection, String schema, java.util.Collection<String> relations)
            throws SQLException {
        Map<String, List<Column>> columns = new java.util.LinkedHashMap<>();
        for (String relation : relations) {
            List<Column> found = relationColumns(connection, schema, relation);
            if (!found.isEmpty()) {
                columns.put(relation, found);
            }
        }
        return columns;
    }

    /**
     * Physical columns the engine forbids to drop, rename or retype, each with the reason: key
     * columns, columns read by materialized views, columns in indexes or constraints.
     */
    default Map<String, String> protectedColumns(Connection connection, String schema, String table) throws SQLException {
        throw unsupported("finding protected columns");
    }

    /** Whether the schema (PostgreSQL) or database (ClickHouse) exists; {@code null} is the current one, which does. */
    default boolean schemaExists(Connection connection, String schema) throws SQLException {
        throw unsupported("finding schemas");
    }

    /** What {@link #relations} says of a plain (not materialized) view. */
    String VIEW = "view";

    /**
     * What {@link #relations} says of a plain view that carries the library's mark for a table
     * ({@link io.github.schemaevolution.spi.Capability#MARKED_VIEWS}), followed by that table's name.
     */
    String LIBRARY_VIEW = "library view of ";

    /** What {@link #relations} says of a view the library made for {@code table}. */
    static String libraryView(String table) {
        return LIBRARY_VIEW + table;
    }

    /** Whether {@code kind}, as {@link #relations} reports it, is a plain view. */
    static boolean isView(String kind) {
        return VIEW.equals(kind) || kind.startsWith(LIBRARY_VIEW);
    }

    /**
     * Which of {@code names} exist in the schema as tables, views or any other relation, each with what
     * it is: {@link #VIEW} for a plain view, else the engine's word for it ("table", "materialized view",
     * "MergeTree"...). Read before a change so that the library never replaces an object it did not create.
     */
    default Map<String, String> relations(Connection connection, String schema, java.util.Collection<String> names)
            throws SQLException {
        throw unsupported("listing relations");
    }

    /**
     * The table as {@link #read}, {@link #physicalColumns} and {@link #protectedColumns} see it, and which
     * of {@code relationNames} exist as {@link #relations} says, from one look at the catalog: what a
     * migration reads before it plans. Dialects answer it in one round trip; the default asks each
     * method in turn.
     */
    default CatalogSnapshot snapshot(Connection connection, String schema, String table, String sparePrefix,
            java.util.Collection<String> relationNames) throws SQLException {
        return CatalogSnapshot.of(this, connection, schema, table, sparePrefix, relationNames);
    }

    private static SchemaEvolutionException unsupported(String what) {
        return new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, what + " is not implemented by this dialect");
    }
}
