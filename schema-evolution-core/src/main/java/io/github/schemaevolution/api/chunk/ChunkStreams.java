package io.github.schemaevolution.api.chunk;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Chunks read from a catalog query one row at a time, for sources too large to hold as a list. */
public final class ChunkStreams {
    private ChunkStreams() {
    }

    /** Maps the current row of a catalog query to a chunk. */
    @FunctionalInterface
    public interface RowMapper {
        Chunk map(ResultSet row) throws SQLException;
    }

    /** Runs {@code select} and streams its rows as chunks; closing the stream closes the statement. */
    public static Stream<Chunk> fromQuery(PreparedStatement select, RowMapper mapper) throws SQLException {
        ResultSet rows = select.executeQuery();
        Iterator<Chunk> iterator = new Iterator<>() {
            private Boolean next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = rows.next();
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot read the chunk list: " + e.getMessage(), e);
                    }
                }
                return next;
            }

            @Override
            public Chunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                next = null;
                try {
                    return mapper.map(rows);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read the chunk list: " + e.getMessage(), e);
                }
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED), false)
                .onClose(() -> {
                    try {
                        select.close();
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot close the chunk list", e);
                    }
                });
    }
}
