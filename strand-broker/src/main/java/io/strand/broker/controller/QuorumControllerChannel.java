package io.strand.broker.controller;

import io.strand.metadata.quorum.LeaderRequestClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * <p>Thread-safe. {@link #close()} closes the connections and fails requests still waiting.
 */
public final class QuorumControllerChannel implements ControllerChannel, AutoCloseable {

    private final LeaderRequestClient client;

    QuorumControllerChannel(LeaderRequestClient client) {
        this.client = client;
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
        return new QuorumControllerChannel(LeaderRequestClient.open(name, voters, timeoutMs, attemptTimeoutMs));
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
        return client.send(api.id, version, data).thenApply(answer -> readResponse(api, version, answer));
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
