package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Submits this node's metadata batches to its own Ratis server as client write requests (client id
 * fixed per process, call ids 1, 2, 3 ...) and completes their futures.
 *
 * <p>A future completes with whichever comes first: the apply of its entry, reported by the state
 * machine through {@link #onApplied}, or Ratis' reply. Both are needed: a single-voter leader can
 * commit and apply an entry before Ratis has registered the request for a reply (the reply then
 * only comes, as NotLeader, when leadership ends), and a lost leadership is only told by the reply.
 * Ratis' leadership errors become {@link NotControllerException}; a request not answered within the
 * request timeout fails with {@link TimeoutException} (it may still commit later).
 *
 * <p>Thread-safe.
 */
final class QuorumAppender {

    private final int nodeId;
    private final RaftPeerId selfId;
    private final ScheduledExecutorService scheduler;
    private final int requestTimeoutMs;
    private final Supplier<OptionalInt> leaderId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    private final Map<Long, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();

    QuorumAppender(int nodeId, ScheduledExecutorService scheduler, int requestTimeoutMs,
                   Supplier<OptionalInt> leaderId) {
        this.nodeId = nodeId;
        this.selfId = RaftSettings.peerId(nodeId);
        this.scheduler = scheduler;
        this.requestTimeoutMs = requestTimeoutMs;
        this.leaderId = leaderId;
    }

    CompletableFuture<Long> append(RaftServer server, List<MetadataRecord> records) {
        long call = callId.incrementAndGet();
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(selfId)
                .setGroupId(RaftSettings.GROUP_ID)
                .setCallId(call)
                .setMessage(Message.valueOf(ByteString.copyFrom(MetadataRecordSerde.serializeBatch(records))))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        CompletableFuture<Long> result = new CompletableFuture<>();
        pending.put(call, result);
        result.whenComplete((offset, error) -> pending.remove(call));
        try {
            ScheduledFuture<?> timeout = scheduler.schedule(() -> result.completeExceptionally(new TimeoutException(
                    "Metadata append not committed within requestTimeoutMs=" + requestTimeoutMs + " nodeId="
                            + nodeId)), requestTimeoutMs, TimeUnit.MILLISECONDS);
            result.whenComplete((offset, error) -> timeout.cancel(false));
            server.submitClientRequestAsync(request).whenComplete((reply, error) -> {
                if (error != null) {
                    result.completeExceptionally(translate(error));
                } else {
                    complete(result, reply);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(closed());
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(translate(e));
        }
        return result;
    }

    /** The state machine applied (or rejected, {@code rejection} non-null) an entry at {@code index}. */
    void onApplied(ByteString entryClientId, long entryCallId, long index, String rejection) {
        if (!entryClientId.equals(clientId.toByteString())) {
            return;
        }
        CompletableFuture<Long> future = pending.remove(entryCallId);
        if (future == null) {
            return;
        }
        if (rejection == null) {
            future.complete(index);
        } else {
            future.completeExceptionally(new MetadataReplayException(rejection));
        }
    }

    /** Fails every append still waiting. */
    void close() {
        NotControllerException error = closed();
        pending.values().forEach(f -> f.completeExceptionally(error));
    }

    NotControllerException closed() {
        return new NotControllerException("Metadata quorum closed: nodeId=" + nodeId);
    }

    private void complete(CompletableFuture<Long> result, RaftClientReply reply) {
        if (!reply.isSuccess()) {
            result.completeExceptionally(translate(reply.getException()));
            return;
        }
        ByteBuffer body = reply.getMessage().getContent().asReadOnlyByteBuffer();
        byte status = body.get(MetadataStateMachine.REPLY_STATUS_OFFSET);
        body.position(MetadataStateMachine.REPLY_BODY_OFFSET);
        if (status == MetadataStateMachine.STATUS_APPLIED) {
            result.complete(body.getLong());
        } else {
            result.completeExceptionally(new MetadataReplayException(StandardCharsets.UTF_8.decode(body).toString()));
        }
    }

    private RuntimeException translate(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof NotLeaderException || e instanceof LeaderNotReadyException
                || e instanceof LeaderSteppingDownException || e instanceof ServerNotReadyException
                || e instanceof AlreadyClosedException) {
            OptionalInt leader = leaderId.get();
            return new NotControllerException("Not the metadata leader: nodeId=" + nodeId + " leaderId="
                    + (leader.isPresent() ? leader.getAsInt() : "unknown") + " cause=" + e.getClass().getSimpleName());
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        return new KafkaException("Metadata append failed: nodeId=" + nodeId, e);
    }
}
