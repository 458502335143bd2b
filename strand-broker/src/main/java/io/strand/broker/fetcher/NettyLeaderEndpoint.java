package io.strand.broker.fetcher;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * A leader over the network: a {@link BrokerConnection} to its inter-broker listener. Fetch goes at the
 * highest version both sides serve, at least 12 (the first with {@code last_fetched_epoch} and
 * {@code diverging_epoch}); ListOffsets at least 1. Requests are written for the newest versions and
 * moved into an older version's fields here: below 15 the replica id goes in {@code replica_id}
 * instead of {@code replica_state}, below 13 topics go by name only, from 13 by id only.
 *
 * <p>Thread-safe, one request at a time (see {@link LeaderEndpoint}).
 */
public final class NettyLeaderEndpoint implements LeaderEndpoint {

    static final short MIN_FETCH_VERSION = 12;
    static final short MIN_LIST_OFFSETS_VERSION = 1;
    private static final short FIRST_TOPIC_ID_FETCH_VERSION = 13;
    private static final short FIRST_REPLICA_STATE_FETCH_VERSION = 15;
    private static final short FIRST_LEADER_EPOCH_LIST_OFFSETS_VERSION = 4;

    private final BrokerConnection connection;

    /**
     * @param address the leader's inter-broker endpoint (from the metadata image), looked up on every
     *                connection attempt
     * @param network event loops shared by the node's fetcher connections
     */
    public NettyLeaderEndpoint(int leaderId, Supplier<Optional<InetSocketAddress>> address, FetcherConfig config,
                               EventLoopGroup network) {
        this(leaderId, address, config, network, null);
    }

    /** As the plaintext constructor, over TLS when {@code tls} is not null. */
    public NettyLeaderEndpoint(int leaderId, Supplier<Optional<InetSocketAddress>> address, FetcherConfig config,
                               EventLoopGroup network, ConnectionTls tls) {
        this.connection = new BrokerConnection(leaderId, address, config.clientId(), network, config.backoffMs(),
                config.requestTimeoutMs(), tls, config.sasl());
    }

    @Override
    public int brokerId() {
        return connection.brokerId();
    }

    @Override
    public CompletableFuture<FetchResponseData> fetch(FetchRequestData request) {
        return connection.send(ApiKeys.FETCH, MIN_FETCH_VERSION, version -> forVersion(request, version))
                .thenApply(FetchResponseData.class::cast);
    }

    @Override
    public CompletableFuture<ListOffsetsResponseData> listOffsets(ListOffsetsRequestData request) {
        return connection.send(ApiKeys.LIST_OFFSETS, MIN_LIST_OFFSETS_VERSION, version -> forVersion(request, version))
                .thenApply(ListOffsetsResponseData.class::cast);
    }

    static FetchRequestData forVersion(FetchRequestData request, short version) {
        FetchRequestData out = request.duplicate();
        if (version < FIRST_REPLICA_STATE_FETCH_VERSION) {
            out.setReplicaId(out.replicaState().replicaId());
            out.setReplicaState(new FetchRequestData.ReplicaState());
        } else {
            out.setReplicaId(FetchRequest.CONSUMER_REPLICA_ID);
        }
        for (FetchRequestData.FetchTopic topic : out.topics()) {
            if (version < FIRST_TOPIC_ID_FETCH_VERSION) {
                topic.setTopicId(Uuid.ZERO_UUID);
            } else {
                topic.setTopic("");
            }
        }
        return out;
    }

    static ListOffsetsRequestData forVersion(ListOffsetsRequestData request, short version) {
        ListOffsetsRequestData out = request.duplicate();
        if (version < FIRST_LEADER_EPOCH_LIST_OFFSETS_VERSION) {
            out.topics().forEach(topic -> topic.partitions().forEach(p -> p.setCurrentLeaderEpoch(-1)));
        }
        return out;
    }

    @Override
    public void close() {
        connection.close();
    }
}
