package io.strand.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking socket that speaks raw Kafka frames, for tests that send what no well-behaved client
 * would: garbage, truncated bodies, oversized sizes, unknown keys and versions.
 */
final class RawKafkaConnection implements AutoCloseable {

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int nextCorrelationId = 1;

    RawKafkaConnection(String bootstrap) throws IOException {
        this(bootstrap, 10_000);
    }

    /** @param readTimeoutMs how long a read waits before it fails with a timeout */
    RawKafkaConnection(String bootstrap, int readTimeoutMs) throws IOException {
        int colon = bootstrap.lastIndexOf(':');
        socket = new Socket();
        socket.connect(new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))), 5_000);
        socket.setSoTimeout(readTimeoutMs);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** How long a read waits from now on before it fails with a timeout. */
    void readTimeout(int readTimeoutMs) throws IOException {
        socket.setSoTimeout(readTimeoutMs);
    }

    /** Sends a well-formed request and reads its response. */
    AbstractResponse roundTrip(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-test", nextCorrelationId++);
        sendFrame(request.serializeWithHeader(header));
        ByteBuffer response = ByteBuffer.wrap(readFrame());
        return AbstractResponse.parseResponse(response, header);
    }

    /** Sends a well-formed request without reading anything (one the broker answers nothing to: acks=0). */
    void send(AbstractRequest request) throws IOException {
        send(request, "raw-test");
    }

    /** {@link #send(AbstractRequest)} with {@code clientId} in its header (client quotas are per client id). */
    void send(AbstractRequest request, String clientId) throws IOException {
        sendFrame(request.serializeWithHeader(
                new RequestHeader(request.apiKey(), request.version(), clientId, nextCorrelationId++)));
    }

    /**
     * Sends {@code data} as a request of {@code apiKey}/{@code version} and reads its response, without
     * the checks kafka-clients' request builders make (so negative timeouts and the like reach the broker).
     */
    AbstractResponse roundTrip(ApiKeys apiKey, short version, ApiMessage data) throws IOException {
        RequestHeader header = new RequestHeader(apiKey, version, "raw-test", nextCorrelationId++);
        ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(headerBytes.remaining() + body.remaining());
        frame.put(headerBytes).put(body).flip();
        sendFrame(frame);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(readFrame()), header);
    }

    /** Sends the header of {@code apiKey}/{@code version} followed by {@code body} as one frame. */
    void sendRaw(ApiKeys apiKey, short version, byte[] body) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(64);
        header.putShort(apiKey.id).putShort(version).putInt(nextCorrelationId++).putShort((short) -1);
        if (apiKey.requestHeaderVersion(version) >= 2) {
            header.put((byte) 0); // no tagged fields
        }
        header.flip();
        ByteBuffer frame = ByteBuffer.allocate(header.remaining() + body.length);
        frame.put(header).put(body).flip();
        sendFrame(frame);
    }

    void sendFrame(ByteBuffer payload) throws IOException {
        out.writeInt(payload.remaining());
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        out.write(bytes);
        out.flush();
    }

    /** Writes bytes as they are, no size prefix added. */
    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    byte[] readFrame() throws IOException {
        int size = in.readInt();
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    /** True if the broker closed the connection (EOF or reset) within the socket timeout. */
    boolean isClosedByBroker() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
