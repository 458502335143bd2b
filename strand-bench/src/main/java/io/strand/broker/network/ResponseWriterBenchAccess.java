package io.strand.broker.network;

import io.netty.channel.Channel;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * A benchmark's entry to {@link ResponseWriter}, which is package-private in strand-broker: this class
 * shares its package from the strand-bench jar (same class loader on the benchmark's classpath) so
 * {@code io.strand.bench.jmh.FetchReadBenchmark} can time the real serialization. Benchmark code only;
 * same threading rule as the writer: call it on the channel's event loop (an {@code EmbeddedChannel}'s
 * is the caller's thread).
 */
public final class ResponseWriterBenchAccess {

    private ResponseWriterBenchAccess() {
    }

    /** {@link ResponseWriter#write}: queues the frame's parts on {@code channel}; the caller flushes. */
    public static void write(Channel channel, ResponseHeader header, ApiMessage body, short apiVersion) {
        ResponseWriter.write(channel, header, body, apiVersion);
    }
}
