package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Answers the requests other nodes (and this one) send to the metadata leader through a
 * {@link LeaderRequestClient}: a node installs one with {@link MetadataQuorum#setLeaderRequestHandler}
 * and it is called while this node leads. The quorum does not know what the bytes mean: a request
 * is a Kafka API key, the version its data is written in, and the data in Kafka's binary form; the
 * answer is the response data in the same version.
 *
 * <p>Called on a Ratis server thread, which waits for the answer before it serves the next request
 * of the same connection: return at once and complete later. A future that fails reaches the sender
 * as its Kafka error ({@code Errors.forException}); one not completed within the quorum's request
 * timeout is answered REQUEST_TIMED_OUT.
 */
@FunctionalInterface
public interface LeaderRequestHandler {

    /** @param requestData read-only, positioned at the data's first byte */
    CompletableFuture<ByteBuffer> handle(short apiKey, short apiVersion, ByteBuffer requestData);
}
