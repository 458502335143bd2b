package io.strand.fidelity;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * One plain TCP connection to a broker's client listener that sends a request exactly as given (any
 * version, any field values, nothing checked or filled in, unlike a client library) and reads its
 * answer.
 *
 * <p>Contract: requests go one at a time; {@link #send} returns the parsed response, or an
 * {@link Answer} naming why there is none (the broker closed the connection, or sent nothing within
 * the timeout, or bytes that do not parse as the response of that API and version). After a closed
 * connection the next send reconnects, so a scenario goes on as a client would. Not thread-safe.
 */
final class WireClient implements AutoCloseable {

    static final String CLIENT_ID = "strand-fidelity";
    /** How long a scenario's request may take: a join held through a rebalance must fit. */
    static final int SCENARIO_TIMEOUT_MS = 15_000;

    private final InetSocketAddress address;
    private final int timeoutMs;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private int correlationId;

    WireClient(InetSocketAddress address) {
        this(address, SCENARIO_TIMEOUT_MS);
    }

    /** A client that gives up on an answer (and on connecting) after {@code timeoutMs}. */
    WireClient(InetSocketAddress address, int timeoutMs) {
        this.address = address;
        this.timeoutMs = timeoutMs;
    }

    /** What came back for a request: a response, or why none did. */
    record Answer(ApiMessage response, String failure) {
        static Answer failed(String why) {
            return new Answer(null, why);
        }
    }

    /** Sends {@code request} as {@code key} v{@code version}; for acks=0 produce pass {@code expectsAnswer} false. */
    Answer send(ApiKeys key, short version, ApiMessage request, boolean expectsAnswer) {
        return send(key, version, MessageUtil.toByteBufferAccessor(request, version).buffer(), expectsAnswer);
    }

    /** Sends {@code body}, the bytes of a request of {@code key} v{@code version}, as they are. */
    Answer send(ApiKeys key, short version, ByteBuffer body, boolean expectsAnswer) {
        try {
            connect();
            int id = ++correlationId;
            RequestHeader header = new RequestHeader(key, version, CLIENT_ID, id);
            ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
            out.writeInt(headerBytes.remaining() + body.remaining());
            out.write(headerBytes.array(), headerBytes.arrayOffset() + headerBytes.position(), headerBytes.remaining());
            out.write(body.array(), body.arrayOffset() + body.position(), body.remaining());
            out.flush();
            if (!expectsAnswer) {
                return new Answer(null, null);
            }
            int size = in.readInt();
            byte[] frame = new byte[size];
            in.readFully(frame);
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            ResponseHeader responseHeader = ResponseHeader.parse(buffer, key.responseHeaderVersion(version));
            if (responseHeader.correlationId() != id) {
                disconnect();
                return Answer.failed("answer to another request: correlationId=" + responseHeader.correlationId());
            }
            ApiMessage response = ApiMessageType.fromApiKey(key.id).newResponse();
            response.read(new ByteBufferAccessor(buffer), version);
            return new Answer(response, null);
        } catch (EOFException e) {
            disconnect();
            return Answer.failed("connection closed");
        } catch (SocketTimeoutException e) {
            disconnect();
            return Answer.failed("no answer within " + timeoutMs + " ms");
        } catch (IOException e) {
            disconnect();
            return Answer.failed("connection closed");
        } catch (RuntimeException e) {
            disconnect();
            return Answer.failed("unparsable answer: " + e.getClass().getSimpleName());
        }
    }

    private void connect() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        s.connect(address, timeoutMs);
        s.setSoTimeout(timeoutMs);
        s.setTcpNoDelay(true);
        socket = s;
        in = new DataInputStream(s.getInputStream());
        out = new DataOutputStream(s.getOutputStream());
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public void close() {
        disconnect();
    }
}
