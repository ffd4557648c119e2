package io.github.schemaevolution.spi;

import java.util.Objects;

/**
 * One SQL statement a dialect rendered, with what it costs on a large table. Plans are lists of
 * these; printing a plan never touches the database.
 */
public record DdlStatement(String sql, Cost cost) {

    /** What running the statement does to a large table. */
    public enum Cost {
        /** Catalog or metadata only: milliseconds whatever the table size. */
        INSTANT,
        /** Work proportional to the data of one chunk, repeated per chunk. */
        PER_CHUNK,
        /** Rewrites or scans the whole table. */
        REWRITE
    }

    public DdlStatement {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(cost, "cost");
    }

    public static DdlStatement instant(String sql) {
        return new DdlStatement(sql, Cost.INSTANT);
    }

    @Override
    public String toString() {
        return sql + ";  -- " + cost;
    }
}
