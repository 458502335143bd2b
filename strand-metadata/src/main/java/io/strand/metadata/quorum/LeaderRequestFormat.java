package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The bytes of a leader request and of its answer inside Ratis read-only messages. Stateless.
 *
 * <p>A request ({@link LeaderRequestClient} → the leader's {@link MetadataStateMachine#query}). An
 * empty message is not a leader request but a read-index query ({@link LeaderReadIndex}), so a
 * request is never empty:
 * <pre>
 * | offset                    | size | field                                                 |
 * |---------------------------|------|-------------------------------------------------------|
 * | REQUEST_KIND_OFFSET=0     | 1    | KIND_LEADER_REQUEST (1)                               |
 * | REQUEST_API_KEY_OFFSET=1  | 2    | Kafka API key, big-endian                             |
 * | REQUEST_VERSION_OFFSET=3  | 2    | the version the data is written in                    |
 * | REQUEST_DATA_OFFSET=5     | ...  | the request data in Kafka's binary form at that version |
 * </pre>
 * For example CreateTopics (key 19) v7 is {@code 01 00 13 00 07} followed by the data.
 *
 * <p>An answer:
 * <pre>
 * | offset                  | size | field                                                        |
 * |-------------------------|------|--------------------------------------------------------------|
 * | ANSWER_STATUS_OFFSET=0  | 1    | STATUS_OK, STATUS_ERROR or STATUS_NO_HANDLER                   |
 * | ANSWER_BODY_OFFSET=1    | ...  | OK: the response data; ERROR: int16 Kafka error code, then the |
 * |                         |      | UTF-8 message; NO_HANDLER: nothing                             |
 * </pre>
 */
final class LeaderRequestFormat {

    static final byte KIND_LEADER_REQUEST = 1;
    static final int REQUEST_KIND_OFFSET = 0;
    static final int REQUEST_API_KEY_OFFSET = 1;
    static final int REQUEST_VERSION_OFFSET = 3;
    static final int REQUEST_DATA_OFFSET = 5;

    static final int ANSWER_STATUS_OFFSET = 0;
    static final int ANSWER_BODY_OFFSET = 1;
    /** The handler answered with the response data. */
    static final byte STATUS_OK = 0;
    /** The handler failed, or did not answer in time: a Kafka error code and a message follow. */
    static final byte STATUS_ERROR = 1;
    /** This node leads but no handler is installed yet (its controller is starting): ask again. */
    static final byte STATUS_NO_HANDLER = 2;

    private LeaderRequestFormat() {
    }

    /** A request as its fields. {@code data} is positioned at the data's first byte. */
    record Request(short apiKey, short apiVersion, ByteBuffer data) {
    }

    static Message request(short apiKey, short apiVersion, ByteBuffer data) {
        ByteBuffer body = ByteBuffer.allocate(REQUEST_DATA_OFFSET + data.remaining());
        body.put(REQUEST_KIND_OFFSET, KIND_LEADER_REQUEST);
        body.putShort(REQUEST_API_KEY_OFFSET, apiKey);
        body.putShort(REQUEST_VERSION_OFFSET, apiVersion);
        body.position(REQUEST_DATA_OFFSET);
        body.put(data.duplicate());
        return Message.valueOf(ByteString.copyFrom(body.array()));
    }

    /** True when {@code message} is a leader request rather than a read-index query. */
    static boolean isRequest(Message message) {
        ByteString content = message.getContent();
        return content.size() >= REQUEST_DATA_OFFSET && content.byteAt(REQUEST_KIND_OFFSET) == KIND_LEADER_REQUEST;
    }

    static Request parseRequest(Message message) {
        ByteBuffer body = message.getContent().asReadOnlyByteBuffer();
        short apiKey = body.getShort(REQUEST_API_KEY_OFFSET);
        short apiVersion = body.getShort(REQUEST_VERSION_OFFSET);
        body.position(REQUEST_DATA_OFFSET);
        return new Request(apiKey, apiVersion, body.slice());
    }

    static Message ok(ByteBuffer responseData) {
        ByteBuffer body = ByteBuffer.allocate(ANSWER_BODY_OFFSET + responseData.remaining());
        body.put(ANSWER_STATUS_OFFSET, STATUS_OK);
        body.position(ANSWER_BODY_OFFSET);
        body.put(responseData.duplicate());
        return Message.valueOf(ByteString.copyFrom(body.array()));
    }

    static Message error(short errorCode, String message) {
        byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(ANSWER_BODY_OFFSET + Short.BYTES + text.length);
        body.put(ANSWER_STATUS_OFFSET, STATUS_ERROR);
        body.putShort(ANSWER_BODY_OFFSET, errorCode);
        body.position(ANSWER_BODY_OFFSET + Short.BYTES);
        body.put(text);
        return Message.valueOf(ByteString.copyFrom(body.array()));
    }

    static Message noHandler() {
        return Message.valueOf(ByteString.copyFrom(new byte[] {STATUS_NO_HANDLER}));
    }
}
