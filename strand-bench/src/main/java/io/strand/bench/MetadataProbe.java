package io.strand.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;

/**
 * Measures start-up as a client sees it: the time until a broker first answers a Metadata request
 * that lists at least one broker. It connects to the client port every {@value #RETRY_BACKOFF_MS} ms
 * (a refused connection means "not yet") and sends one Metadata v{@value #METADATA_VERSION} request
 * for no topics, framed by hand (4-byte size, header, body) with kafka-clients' message classes, so
 * that no client-side backoff adds to the figure.
 *
 * <p>Not thread-safe; one caller polls.
 */
final class MetadataProbe {

    /** The version current Java clients send; both brokers serve it. */
    static final short METADATA_VERSION = 12;
    private static final long RETRY_BACKOFF_MS = 5;
    private static final int SOCKET_TIMEOUT_MS = 2_000;

    private final Time time;
    private final InetSocketAddress address;
    private int correlationId;

    MetadataProbe(Time time, InetSocketAddress address) {
        this.time = time;
        this.address = address;
    }

    /**
     * Polls until the first Metadata answer naming a broker and returns the time at which it arrived
     * ({@link Time#nanoseconds}).
     *
     * @throws IllegalStateException when {@code process} exits or {@code deadlineNs} passes first
     */
    long awaitFirstAnswerNs(Process process, long deadlineNs) {
        while (true) {
            if (tryOnce()) {
                return time.nanoseconds();
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited before answering Metadata exitCode="
                        + process.exitValue() + " address=" + address);
            }
            if (time.nanoseconds() > deadlineNs) {
                throw new IllegalStateException("broker did not answer Metadata in time address=" + address);
            }
            time.sleep(RETRY_BACKOFF_MS);
        }
    }

    private boolean tryOnce() {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(address, SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            RequestHeader header = new RequestHeader(ApiKeys.METADATA, METADATA_VERSION, "strand-bench-probe",
                    ++correlationId);
            MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData()
                    .setTopics(List.of()).setAllowAutoTopicCreation(false)).build(METADATA_VERSION);
            ByteBuffer frame = request.serializeWithHeader(header);
            byte[] frameBytes = new byte[frame.remaining()];
            frame.get(frameBytes);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(frameBytes.length);
            out.write(frameBytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            AbstractResponse response = AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
            return response instanceof MetadataResponse metadata && !metadata.brokers().isEmpty();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
