package io.github.schemaevolution.testkit.clickhouse;

import com.sun.jna.Pointer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One chDB connection, used by one statement at a time: chDB runs a single statement per
 * connection, so every call takes the same lock. Session state (current database, settings) is
 * therefore the caller's to set and restore inside {@link #exclusive}.
 */
final class ChdbEngine implements AutoCloseable {
    private static final Pattern ERROR_CODE = Pattern.compile("Code: (\\d+)");

    private final ChdbNative chdb;
    private final Pointer connectionPointer;
    private final Pointer connection;
    private final ReentrantLock lock = new ReentrantLock();

    /** What a statement returned: its output and the counters ClickHouse reports in X-ClickHouse-Summary. */
    record Result(byte[] data, long rowsRead, long bytesRead, long rowsWritten, long bytesWritten, double elapsedSeconds) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A statement the engine refused, with ClickHouse's error code. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        Failure(String message) {
            super(message.strip());
            Matcher matcher = ERROR_CODE.matcher(message);
            this.code = matcher.find() ? Integer.parseInt(matcher.group(1)) : 1000;
        }
    }

    ChdbEngine(ChdbNative chdb, String dataDirectory) {
        this.chdb = chdb;
        this.connectionPointer = chdb.chdb_connect(2, new String[]{"clickhouse", "--path=" + dataDirectory});
        if (connectionPointer == null) {
            throw new IllegalStateException("chdb_connect failed for " + dataDirectory);
        }
        this.connection = connectionPointer.getPointer(0);
    }

    interface Session<T> {
        T run() throws Failure, IOException;
    }

    /** Runs several statements with nobody else's in between. */
    <T> T exclusive(Session<T> session) throws Failure, IOException {
        lock.lock();
        try {
            return session.run();
        } finally {
            lock.unlock();
        }
    }

    Result query(String sql, String format) throws Failure {
        return exclusiveUnchecked(() -> {
            byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
            return read(chdb.chdb_query_n(connection, bytes, bytes.length, format, format.length()));
        });
    }

    /** A query with {@code {name:Type}} placeholders bound by the engine (values are never spliced into SQL). */
    Result query(String sql, String format, Map<String, String> parameters) throws Failure {
        if (parameters.isEmpty()) {
            return query(sql, format);
        }
        String[] names = parameters.keySet().toArray(String[]::new);
        String[] values = parameters.values().toArray(String[]::new);
        return exclusiveUnchecked(() -> read(chdb.chdb_query_with_params(connection, sql, format, names, values, names.length)));
    }

    /** A streaming INSERT: {@code insert} without its FORMAT clause, the data in {@code format}. */
    Result insert(String insert, String format, InputStream data) throws Failure, IOException {
        return exclusive(() -> {
            Pointer stream = chdb.chdb_stream_insert(connection, insert, format);
            try {
                String error = chdb.chdb_stream_insert_error(stream);
                if (error != null) {
                    throw new Failure(error);
                }
                byte[] buffer = new byte[1 << 16];
                for (int read; (read = data.read(buffer)) > 0; ) {
                    if (chdb.chdb_stream_append(stream, buffer, read) != 0) {
                        String appendError = chdb.chdb_stream_insert_error(stream);
                        throw new Failure(appendError == null ? "Code: 1000. insert stream failed" : appendError);
                    }
                }
                return read(chdb.chdb_stream_done(stream));
            } finally {
                chdb.chdb_destroy_insert_stream(stream);
            }
        });
    }

    private Result exclusiveUnchecked(Session<Result> session) throws Failure {
        try {
            return exclusive(session);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Result read(Pointer result) throws Failure {
        if (result == null) {
            throw new Failure("Code: 1000. chDB returned no result");
        }
        try {
            String error = chdb.chdb_result_error(result);
            if (error != null && !error.isEmpty()) {
                throw new Failure(error);
            }
            long length = chdb.chdb_result_length(result);
            if (length > Integer.MAX_VALUE - 8) {
                throw new Failure("Code: 173. DB::Exception: a result of " + length + " bytes is more than the embedded server"
                        + " passes on in one response. (CANNOT_ALLOCATE_MEMORY)");
            }
            Pointer buffer = chdb.chdb_result_buffer(result);
            byte[] data = length == 0 || buffer == null ? new byte[0] : buffer.getByteArray(0, (int) length);
            return new Result(data, chdb.chdb_result_rows_read(result), chdb.chdb_result_bytes_read(result),
                    chdb.chdb_result_rows_written(result), chdb.chdb_result_bytes_written(result),
                    chdb.chdb_result_elapsed(result));
        } finally {
            chdb.chdb_destroy_query_result(result);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            chdb.chdb_close_conn(connectionPointer);
        } finally {
            lock.unlock();
        }
    }
}
