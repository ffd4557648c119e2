package io.github.schemaevolution.api.chunk;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.spi.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Checksums of a table's data, computed in the engine, per chunk: for each chunk its row count and an
 * order-independent hash of its rows (the sum of a hash of each row over every column, in the table's
 * column order), all chunks in one scan of the table. Two copies of a table (an A/B pair before a
 * swap, a table and its rewrite) hold the same data when every chunk's count and hash agree; a row
 * changed, added or lost shows in its chunk, which {@link #compare} names.
 *
 * <p>Chunks are key ranges of an integer column ({@link Chunking#keyRanges}), ClickHouse partitions
 * ({@link Chunking#partitions}), or the whole table ({@link Chunking#whole}).
 */
public final class Checksums {
    private static final Logger LOG = LoggerFactory.getLogger(Checksums.class);

    private Checksums() {
    }

    /** How a table is cut into the chunks whose checksums are compared. */
    public sealed interface Chunking {
        /** One chunk, the whole table. */
        static Chunking whole() {
            return new Whole();
        }

        /** Ranges of {@code width} values of the integer column {@code key}: {@code [0, width)}, {@code [width, 2 width)}... */
        static Chunking keyRanges(String key, long width) {
            return new KeyRanges(key, width);
        }

        /** The table's partitions (ClickHouse: {@code _partition_id}, the same in two copies partitioned alike). */
        static Chunking partitions() {
            return new Partitions();
        }

        /** The label of a chunk as the engine returned it, for messages. */
        default String label(String chunk) {
            return chunk;
        }
    }

    public record Whole() implements Chunking {
        @Override
        public String label(String chunk) {
            return "the whole table";
        }
    }

    public record Partitions() implements Chunking {
        @Override
        public String label(String chunk) {
            return "partition " + chunk;
        }
    }

    /** The chunk label is the range's index: {@code floor(key / width)}. */
    public record KeyRanges(String key, long width) implements Chunking {
        public KeyRanges {
            Objects.requireNonNull(key, "key");
            if (width < 1) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "checksum key ranges need a width of 1 or more, got " + width);
            }
        }

        @Override
        public String label(String chunk) {
            long index = Long.parseLong(chunk);
            return key + " [" + index * width + ", " + (index + 1) * width + ")";
        }
    }

    /** A chunk's checksum: its row count and the engine's order-independent hash of its rows. */
    public record ChunkChecksum(String chunk, long rows, String hash) {
    }

    /** A chunk whose checksums differ, or that one copy lacks (0 rows there). */
    public record Difference(String chunk, long rowsA, long rowsB) {
        @Override
        public String toString() {
            return chunk + (rowsA == rowsB ? ": " + rowsA + " rows in each, with different values" : ": " + rowsA + " rows against " + rowsB);
        }
    }

    /**
     * What {@link #compare} found: differences of schema (columns by name and type, in order) and of
     * data, per chunk.
     */
    public record Comparison(String tableA, String tableB, List<String> schemaDifferences, List<Difference> differences,
                             long chunks, long rowsA, long rowsB) {
        public Comparison {
            schemaDifferences = List.copyOf(schemaDifferences);
            differences = List.copyOf(differences);
        }

        public boolean same() {
            return schemaDifferences.isEmpty() && differences.isEmpty();
        }

        @Override
        public String toString() {
            if (same()) {
                return tableA + " and " + tableB + " hold the same " + rowsA + " rows (" + chunks + " chunks)";
            }
            List<String> parts = new ArrayList<>(schemaDifferences);
            differences.stream().limit(50).forEach(difference -> parts.add(difference.toString()));
            if (differences.size() > 50) {
                parts.add("and " + (differences.size() - 50) + " more chunks");
            }
            return tableA + " and " + tableB + " differ: " + String.join("; ", parts);
        }
    }

    /** The checksums of every chunk of {@code table}, in chunk order, from one scan. */
    public static Map<String, ChunkChecksum> of(DataSource dataSource, Dialect dialect, String schema, String table, Chunking chunking) {
        try (Connection connection = dataSource.getConnection()) {
            return of(connection, dialect, schema, table, columns(connection, dialect, schema, table), chunking);
        } catch (SQLException e) {
            throw failed(table, e);
        }
    }

    /**
     * Compares two copies in the same database: their columns (names and types, in order), then the
     * checksums of each chunk. Nothing is changed.
     */
    public static Comparison compare(DataSource dataSource, Dialect dialect, String schema, String tableA, String tableB,
                                     Chunking chunking) {
        try (Connection connection = dataSource.getConnection()) {
            List<Column> columnsA = dialect.introspector().relationColumns(connection, schema, tableA);
            List<Column> columnsB = dialect.introspector().relationColumns(connection, schema, tableB);
            List<String> schemaDifferences = schemaDifferences(columnsA, columnsB, tableA, tableB);
            if (!schemaDifferences.isEmpty()) {
                return new Comparison(tableA, tableB, schemaDifferences, List.of(), 0, 0, 0);
            }
            long start = System.nanoTime();
            Map<String, ChunkChecksum> a = of(connection, dialect, schema, tableA, columnsA, chunking);
            Map<String, ChunkChecksum> b = of(connection, dialect, schema, tableB, columnsA, chunking);
            List<Difference> differences = new ArrayList<>();
            TreeSet<String> chunks = new TreeSet<>(Checksums::inOrder);
            chunks.addAll(a.keySet());
            chunks.addAll(b.keySet());
            long rowsA = 0;
            long rowsB = 0;
            for (String chunk : chunks) {
                ChunkChecksum inA = a.get(chunk);
                ChunkChecksum inB = b.get(chunk);
                rowsA += inA == null ? 0 : inA.rows();
                rowsB += inB == null ? 0 : inB.rows();
                if (inA == null || inB == null || inA.rows() != inB.rows() || !inA.hash().equals(inB.hash())) {
                    differences.add(new Difference(chunking.label(chunk), inA == null ? 0 : inA.rows(), inB == null ? 0 : inB.rows()));
                }
            }
            Comparison comparison = new Comparison(tableA, tableB, List.of(), differences, chunks.size(), rowsA, rowsB);
            LOG.info("checksums of {} and {}: {} chunks, {} rows, {} differing, in {} ms", tableA, tableB, chunks.size(), rowsA,
                    differences.size(), (System.nanoTime() - start) / 1_000_000);
            return comparison;
        } catch (SQLException e) {
            throw failed(tableA + " and " + tableB, e);
        }
    }

    /** Key range indexes in numeric order, partition ids as text. */
    private static int inOrder(String a, String b) {
        try {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    private static List<String> schemaDifferences(List<Column> a, List<Column> b, String tableA, String tableB) {
        List<String> differences = new ArrayList<>();
        if (a.isEmpty() || b.isEmpty()) {
            differences.add((a.isEmpty() ? tableA : tableB) + " does not exist or has no columns");
            return differences;
        }
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            Column inA = i < a.size() ? a.get(i) : null;
            Column inB = i < b.size() ? b.get(i) : null;
            if (inA == null || inB == null || !inA.name().equals(inB.name()) || !inA.type().equals(inB.type())) {
                differences.add("column " + (i + 1) + ": " + describe(inA) + " in " + tableA + ", " + describe(inB) + " in " + tableB);
            }
        }
        return differences;
    }

    private static String describe(Column column) {
        return column == null ? "none" : column.name() + " " + column.type().sql();
    }

    private static List<Column> columns(Connection connection, Dialect dialect, String schema, String table) throws SQLException {
        List<Column> columns = dialect.introspector().relationColumns(connection, schema, table);
        if (columns.isEmpty()) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_NOT_FOUND, table, null, "table " + table + " does not exist", null);
        }
        return columns;
    }

    private static Map<String, ChunkChecksum> of(Connection connection, Dialect dialect, String schema, String table,
                                                 List<Column> columns, Chunking chunking) throws SQLException {
        Map<String, ChunkChecksum> checksums = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(dialect.checksumQuery(schema, table, columns, chunking))) {
            while (row.next()) {
                String chunk = row.getString(1);
                checksums.put(chunk, new ChunkChecksum(chunk, row.getLong(2), row.getString(3)));
            }
        }
        return checksums;
    }

    private static SchemaEvolutionException failed(String what, SQLException e) {
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, null, null, "cannot compute the checksums of " + what
                + ": " + e.getMessage(), e);
    }
}
