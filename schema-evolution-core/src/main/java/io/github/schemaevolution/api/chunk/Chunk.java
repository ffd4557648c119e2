package io.github.schemaevolution.api.chunk;

import java.util.Objects;

/**
 * The unit of parallel work: a key range of one table, a partition, or one of many per-chunk
 * tables. A chunk's {@link #id()} is stable across runs, so that checkpoints of a run killed
 * half-way name the chunks it finished.
 */
public sealed interface Chunk permits Chunk.KeyRange, Chunk.Partition, Chunk.ChunkTable {

    /** Stable identifier, unique within one chunk source. */
    String id();

    /** The table the chunk's rows live in. */
    String table();

    /** Rows the chunk is estimated to hold (from statistics; 0 when unknown). */
    long estimatedRows();

    /**
     * Rows of {@code table} whose integer key is in {@code [from, to)}; a range that ends at
     * {@link Long#MAX_VALUE} {@linkplain #open() has no upper bound}, so that rows inserted above the
     * span a run started with still belong to a chunk.
     */
    record KeyRange(String table, String keyColumn, long from, long to, long estimatedRows) implements Chunk {
        public KeyRange {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(keyColumn, "keyColumn");
            if (to <= from) {
                throw new IllegalArgumentException("empty key range [" + from + ", " + to + ")");
            }
        }

        public String id() {
            return table + ":" + keyColumn + ":" + from + "-" + to;
        }

        /** Whether the range holds every key from {@link #from()} up, {@link Long#MAX_VALUE} included. */
        public boolean open() {
            return to == Long.MAX_VALUE;
        }
    }

    /** One partition of a partitioned table (a PostgreSQL partition table, a ClickHouse partition id). */
    record Partition(String table, String partition, long estimatedRows) implements Chunk {
        public Partition {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(partition, "partition");
        }

        public String id() {
            return table + ":partition:" + partition;
        }
    }

    /** One of many tables of the same schema, such as {@code Object_1234} of a chunked catalog. */
    record ChunkTable(String table, long estimatedRows) implements Chunk {
        public ChunkTable {
            Objects.requireNonNull(table, "table");
        }

        public String id() {
            return table;
        }
    }
}
