package io.github.schemaevolution.bench.chunk;

import io.github.schemaevolution.api.chunk.Chunk;
import io.github.schemaevolution.api.chunk.ChunkSource;
import io.github.schemaevolution.spi.CheckpointStore;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * A database that does nothing, for measuring the runner's own cost: connections whose transaction
 * calls are no-ops, a checkpoint store that remembers nothing, and a source of lazily made key ranges.
 */
final class StubDatabase {
    private StubDatabase() {
    }

    static DataSource dataSource() {
        Connection connection = (Connection) Proxy.newProxyInstance(StubDatabase.class.getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAutoCommit", "isClosed" -> false;
                    case "setAutoCommit", "commit", "rollback", "close" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("stub connection: " + method.getName());
                });
        return (DataSource) Proxy.newProxyInstance(StubDatabase.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> connection;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("stub data source: " + method.getName());
                });
    }

    static CheckpointStore forgetfulCheckpoints() {
        return new CheckpointStore() {
            @Override
            public void ensureTable(Connection connection) {
            }

            @Override
            public Set<String> finished(Connection connection, String runId, List<String> chunkIds) {
                return Set.of();
            }

            @Override
            public java.util.Optional<String> recordedSource(Connection connection, String runId) {
                return java.util.Optional.empty();
            }

            @Override
            public String recordSource(Connection connection, String runId, String record) {
                return record;
            }

            @Override
            public boolean markDone(Connection connection, String runId, String chunkId, long rows) {
                return true;
            }
        };
    }

    /** {@code chunks} key ranges of {@code rowsPerChunk} rows, made as they are read. */
    static ChunkSource keyRanges(long chunks, long rowsPerChunk) {
        return connection -> LongStream.range(0, chunks)
                .mapToObj(i -> new Chunk.KeyRange("stub", "id", i * rowsPerChunk, (i + 1) * rowsPerChunk, rowsPerChunk));
    }
}
