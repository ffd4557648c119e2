package io.github.schemaevolution.testkit.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The part of chDB's C API ({@code chdb.h}) the embedded server uses. {@code chdb_connection} is
 * an opaque handle; {@code chdb_connect} returns a pointer to it. {@code size_t} is 64 bits on the
 * platforms chDB ships for, so it maps to Java {@code long}.
 */
interface ChdbNative extends Library {

    static ChdbNative load(String libraryPath) {
        return Native.load(libraryPath, ChdbNative.class);
    }

    /** Process-wide: whether chDB installs its own crash handlers (which would take over the JVM's). */
    void chdb_set_signal_handlers_enabled(int enabled);

    String chdb_version();

    Pointer chdb_connect(int argc, String[] argv);

    void chdb_close_conn(Pointer connectionPointer);

    Pointer chdb_query_n(Pointer connection, byte[] query, long queryLength, String format, long formatLength);

    Pointer chdb_query_with_params(Pointer connection, String query, String format,
                                   String[] names, String[] values, long count);

    Pointer chdb_result_buffer(Pointer result);

    long chdb_result_length(Pointer result);

    String chdb_result_error(Pointer result);

    double chdb_result_elapsed(Pointer result);

    long chdb_result_rows_read(Pointer result);

    long chdb_result_bytes_read(Pointer result);

    long chdb_result_rows_written(Pointer result);

    long chdb_result_bytes_written(Pointer result);

    void chdb_destroy_query_result(Pointer result);

    Pointer chdb_stream_insert(Pointer connection, String query, String format);

    int chdb_stream_append(Pointer stream, byte[] data, long length);

    Pointer chdb_stream_done(Pointer stream);

    String chdb_stream_insert_error(Pointer stream);

    void chdb_destroy_insert_stream(Pointer stream);
}
