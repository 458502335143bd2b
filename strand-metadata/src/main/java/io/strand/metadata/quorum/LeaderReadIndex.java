package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A follower's linearizable read of how far the metadata log is committed: a Ratis read-only
 * request sent to the leader, which (with {@code raft.server.read.option=LINEARIZABLE}, see
 * {@link RaftSettings}) takes its commit index as the read index, confirms with a round of
 * heartbeats that a majority still follows it (ReadIndex, Raft thesis §6.4; a leader that has not
 * yet committed an entry of its own term first waits for it), applies up to the read index and
 * answers with its applied index ({@link MetadataStateMachine#query}). Every entry up to the answer
 * was committed before the read reached the leader, and so before the follower asked. A follower
 * that has applied up to the answer has applied everything committed before it asked.
 *
 * <p>Why not the follower's own server: with Ratis' netty transport a follower cannot forward a
 * ReadIndex request to its leader (the netty server RPC has no asynchronous server protocol), so
 * the read goes to the leader over a client connection of this class, opened on the first read
 * (over the quorum's {@link QuorumTransport}; the gRPC one could forward, but one path serves both).
 * The netty server answers each connection's requests in order; a read that times out (for example
 * one that reached a server no longer leading, which then never answers) drops its connection so
 * that later answers are not matched to the wrong request.
 *
 * <p>Threads: thread-safe. Answers complete on netty threads. {@link #close()} closes the
 * connections and fails reads still waiting.
 */
final class LeaderReadIndex implements AutoCloseable {

    /** Answer of {@link MetadataStateMachine#query}: the leader's applied index, big-endian. */
    static final int ANSWER_BYTES = Long.BYTES;

    private final RaftGroup group;
    private final RaftProperties properties;
    private final QuorumTransport transport;
    private final long longestWaitMs;
    private final ScheduledExecutorService scheduler;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    /** Guarded by this; opened on the first read. */
    private QuorumTransport.Client rpc;
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param longestWaitMs the longest timeout a {@link #read} will be given
     */
    LeaderReadIndex(RaftGroup group, RaftProperties properties, QuorumTransport transport, long longestWaitMs,
                    ScheduledExecutorService scheduler) {
        this.group = group;
        this.properties = properties;
        this.transport = transport;
        this.longestWaitMs = longestWaitMs;
        this.scheduler = scheduler;
    }

    /**
     * Asks {@code leader} for its read index. Completes with an index every entry up to which is
     * committed, or fails: with {@link TimeoutException} after {@code timeoutMs}, with Ratis'
     * exception when {@code leader} does not lead (or is not ready), or with
     * {@link AlreadyClosedException} after {@link #close()}.
     */
    CompletableFuture<Long> read(RaftPeerId leader, long timeoutMs) {
        QuorumTransport.Client client;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new AlreadyClosedException("Leader read index is closed"));
            }
            if (rpc == null) {
                rpc = transport.newClient(clientId, properties, longestWaitMs);
                rpc.addPeers(group.getPeers());
            }
            client = rpc;
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(leader)
                .setGroupId(group.getGroupId())
                .setCallId(callId.incrementAndGet())
                .setMessage(Message.EMPTY)
                .setType(RaftClientRequest.readRequestType())
                .setTimeoutMs(timeoutMs)
                .build();
        CompletableFuture<Long> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
        try {
            timeout = scheduler.schedule(() -> {
                TimeoutException e = new TimeoutException("No read index from the metadata leader within timeoutMs="
                        + timeoutMs + " leaderId=" + leader);
                if (result.completeExceptionally(e)) {
                    client.drop(leader, e);
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AlreadyClosedException("Leader read index is closed"));
        }
        result.whenComplete((index, error) -> timeout.cancel(false));
        client.send(request).whenComplete((reply, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                complete(result, reply);
            }
        });
        return result;
    }

    private static void complete(CompletableFuture<Long> result, RaftClientReply reply) {
        if (!reply.isSuccess()) {
            result.completeExceptionally(reply.getException() != null ? reply.getException()
                    : new IllegalStateException("Read index refused: reply=" + reply));
            return;
        }
        ByteString content = reply.getMessage().getContent();
        if (content.size() != ANSWER_BYTES) {
            result.completeExceptionally(new IllegalStateException("Read index answer of " + content.size()
                    + " bytes, expected " + ANSWER_BYTES + ": reply=" + reply));
            return;
        }
        result.complete(content.asReadOnlyByteBuffer().getLong());
    }

    /** The answer to a read: {@code appliedIndex} as {@link #ANSWER_BYTES} bytes. */
    static Message answer(long appliedIndex) {
        return Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(ANSWER_BYTES).putLong(0, appliedIndex)));
    }

    /** Closes the connections (their netty threads end shortly after). Idempotent. */
    @Override
    public void close() {
        QuorumTransport.Client client;
        synchronized (this) {
            closed = true;
            client = rpc;
            rpc = null;
        }
        if (client != null) {
            client.close();
        }
    }
}
