package io.strand.broker.controller;

import io.strand.metadata.quorum.LeaderRequestClient;
import io.strand.metadata.quorum.LeaderRequestHandler;
import io.strand.metadata.quorum.QuorumTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * The {@link ControllerChannel} over the metadata quorum's leader requests: the request data is
 * written in Kafka's binary form at the API's latest version, carried to the Raft leader through its
 * controller listener (the Ratis port) by a {@link LeaderRequestClient}, handled there by the
 * {@link ControllerRequestDispatcher}, and the response data read back at the same version. Works
 * from any node that knows {@code controller.quorum.voters}, voter or not.
 *
 * <p>Both ends run the same code, so the latest version is always understood; a request whose data
 * is not valid at that version fails with Kafka's {@code UnsupportedVersionException} before it is
 * sent.
 *
 * <p>On a node whose own controller leads, a request does not leave the process: it goes to the local
 * handler in the same binary form (a broker's registration, heartbeats and ISR changes on a single node
 * cost no connection), and to the quorum only if that controller turns out not to lead any more.
 * The local controller's answer is bounded by the channel's timeout as a remote one is: a controller
 * that loses its leadership while a request waits on its append must not leave the request (and
 * the partition's ISR change or the broker's heartbeat waiting on it) unanswered.
 *
 * <p>Thread-safe. {@link #close()} closes the connections and fails requests still waiting.
 */
public final class QuorumControllerChannel implements ControllerChannel, AutoCloseable {

    private final LeaderRequestClient client;
    private final LocalController local;
    private final long timeoutMs;

    /**
     * The controller on this node, if it has one: whether it leads now, and its request handler.
     *
     * @param leads   true while this node's controller is the active one
     * @param handler what the quorum hands leader requests to on this node
     */
    public record LocalController(BooleanSupplier leads, LeaderRequestHandler handler) {
    }

    QuorumControllerChannel(LeaderRequestClient client, LocalController local, long timeoutMs) {
        this.client = client;
        this.local = local;
        this.timeoutMs = timeoutMs;
    }

    /**
     * @param name             names the channel's thread ({@code strand-leader-requests-<name>})
     * @param voters           node id → controller listener address of every voter
     * @param timeoutMs        how long a request may take, retries to find the leader included
     * @param attemptTimeoutMs how long one voter may stay silent before the request goes to the
     *                         next (see {@link LeaderRequestClient})
     */
    public static QuorumControllerChannel open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                               long attemptTimeoutMs) {
        return open(name, voters, timeoutMs, attemptTimeoutMs, null);
    }

    /** As {@link #open(String, Map, long, long)}, asking {@code local} first while it leads ({@code null}: none). */
    public static QuorumControllerChannel open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                               long attemptTimeoutMs, LocalController local) {
        return open(name, voters, timeoutMs, attemptTimeoutMs, local, () -> -1);
    }

    /**
     * As {@link #open(String, Map, long, long, LocalController)} on a node that runs a Raft server of
     * the metadata quorum.
     *
     * @param knownLeader the active controller's node id as this node's Raft server knows it, -1 if
     *                    unknown: requests go there first (see {@link LeaderRequestClient})
     */
    public static QuorumControllerChannel open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                               long attemptTimeoutMs, LocalController local,
                                               IntSupplier knownLeader) {
        return open(name, voters, timeoutMs, attemptTimeoutMs, local, knownLeader, QuorumTransport.plaintext());
    }

    /**
     * As {@link #open(String, Map, long, long, LocalController, IntSupplier)}, over the voters'
     * {@code transport}.
     */
    public static QuorumControllerChannel open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                               long attemptTimeoutMs, LocalController local,
                                               IntSupplier knownLeader, QuorumTransport transport) {
        return new QuorumControllerChannel(
                LeaderRequestClient.open(name, voters, timeoutMs, attemptTimeoutMs, knownLeader, transport), local,
                timeoutMs);
    }

    @Override
    public CompletableFuture<ApiMessage> send(ApiKeys api, ApiMessage request) {
        short version = api.latestVersion();
        ByteBuffer data;
        try {
            data = MessageBytes.write(request, version);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (local != null && local.leads().getAsBoolean()) {
            // A stage of its own times out, not the controller's future.
            return local.handler().handle(api.id, version, data.duplicate())
                    .thenApply(answer -> readResponse(api, version, answer))
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .exceptionallyCompose(error -> {
                        Throwable cause = unwrap(error);
                        if (cause instanceof NotControllerException) {
                            return remote(api, version, data);
                        }
                        if (cause instanceof java.util.concurrent.TimeoutException) {
                            return CompletableFuture.failedFuture(new TimeoutException("The local controller did not "
                                    + "answer " + api + " within timeoutMs=" + timeoutMs));
                        }
                        return CompletableFuture.failedFuture(cause);
                    });
        }
        return remote(api, version, data);
    }

    private CompletableFuture<ApiMessage> remote(ApiKeys api, short version, ByteBuffer data) {
        return client.send(api.id, version, data.duplicate()).thenApply(answer -> readResponse(api, version, answer));
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static ApiMessage readResponse(ApiKeys api, short version, ByteBuffer data) {
        ApiMessage response = ApiMessageType.fromApiKey(api.id).newResponse();
        response.read(new ByteBufferAccessor(data), version);
        return response;
    }

    /** The node id of the voter last found leading, or -1 before any answer. */
    public int lastKnownController() {
        return client.leaderHint();
    }

    @Override
    public void close() {
        client.close();
    }
}
