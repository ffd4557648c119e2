package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.model.Table;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Reads a live table back into the model. */
public interface Introspector {

    /**
     * @param schema      schema (PostgreSQL) or database (ClickHouse); {@code null} for the current one
     * @param sparePrefix columns whose names start with it are read as the reserve pool
     * @return the table as the engine stores it, in the dialect's canonical form
     *         ({@link Dialect#canonical(Table)}), or empty when it does not exist
     */
    Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException;
}
