package io.github.schemaevolution.spi;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.Table;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the catalog says of one table at one moment, read by {@link Introspector#snapshot} in as few
 * round trips as the engine allows (one on PostgreSQL and ClickHouse): a migration looks at the table
 * several ways, for drift, as a model, for its protected columns and for the names its views would
 * take, and reads the catalog once for all of them. Each method answers what the
 * {@link Introspector} method of the same name would have, at the time of the snapshot; a dialect
 * may interpret lazily, so a table the model cannot hold fails in {@link #table()} only, and may read
 * {@link #protectedColumns()} when first asked, on the connection of the snapshot (the migration
 * asks only for drops, renames and retypes, under its lock).
 */
public interface CatalogSnapshot {

    /** See {@link Introspector#read}, with the spare prefix the snapshot was taken with. */
    Optional<Table> table();

    /** See {@link Introspector#physicalColumns}. */
    List<Column> physicalColumns();

    /** See {@link Introspector#protectedColumns}. */
    Map<String, String> protectedColumns();

    /** See {@link Introspector#relations}: of the names the snapshot was taken for. */
    Map<String, String> relations();

    /** A snapshot made of the introspector's single reads, one after the other, for dialects without a combined one. */
    static CatalogSnapshot of(Introspector introspector, Connection connection, String schema, String table,
            String sparePrefix, Collection<String> relationNames) throws SQLException {
        List<Column> physical = introspector.physicalColumns(connection, schema, table);
        Optional<Table> read = introspector.read(connection, schema, table, sparePrefix);
        Map<String, String> protectedColumns = physical.isEmpty() ? Map.of()
                : Map.copyOf(introspector.protectedColumns(connection, schema, table));
        Map<String, String> relations = Map.copyOf(introspector.relations(connection, schema, relationNames));
        return new CatalogSnapshot() {
            @Override
            public Optional<Table> table() {
                return read;
            }

            @Override
            public List<Column> physicalColumns() {
                return physical;
            }

            @Override
            public Map<String, String> protectedColumns() {
                return protectedColumns;
            }

            @Override
            public Map<String, String> relations() {
                return relations;
            }
        };
    }
}
