package io.github.schemaevolution.testkit.clickhouse;

import com.clickhouse.client.api.internal.ClickHouseLZ4InputStream;
import com.clickhouse.client.api.internal.ClickHouseLZ4OutputStream;
import net.jpountz.lz4.LZ4Factory;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * ClickHouse's compressed block framing (checksum, method byte, sizes, LZ4 block) for requests
 * sent with {@code decompress=1} and responses asked for with {@code compress=1}. It reuses the
 * official client's own streams, so the framing is exactly what the client reads and writes; the
 * class is loaded only when a client asks for compression.
 */
final class Lz4Framing {
    private static final int BLOCK = 1 << 20;

    private Lz4Framing() {
    }

    static OutputStream compressing(OutputStream out) {
        return new ClickHouseLZ4OutputStream(out, LZ4Factory.fastestJavaInstance().fastCompressor(), BLOCK);
    }

    static InputStream decompressing(InputStream in) {
        return new ClickHouseLZ4InputStream(in, LZ4Factory.fastestJavaInstance().fastDecompressor(), BLOCK);
    }
}
