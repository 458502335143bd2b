package io.strand.broker.fetcher;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * The follower side of this broker: what role changes call to start and stop following partitions.
 * Up to {@code num.replica.fetchers} {@link ReplicaFetcher}s per leader broker, each with its own thread
 * and connection, the leader's partitions spread over them by {@link FetcherConfig#fetcherIdOf}; a
 * fetcher starts with the first partition it follows and closes as soon as it follows none. The
 * fetchers' connections share one Netty event loop ({@code strand-replica-network}).
 *
 * <p>Maps one-to-one onto the broker's {@code FollowerFetching}: {@code follow(partition, leaderId,
 * leaderEpoch)} is {@link #follow}, {@code unfollow(tp)} is {@link #unfollow}.
 *
 * <p>Thread-safe: every method is synchronized. {@code follow} and {@code unfollow} return once the
 * fetcher that followed the partition before will touch it no more; a fetcher applying an answer to
 * it holds them up that long. So they must not be called while holding a lock that the
 * {@link FollowerReplica} methods take (a partition's leadership lock, say): the fetcher, holding its
 * own lock, would wait for it while the caller waits for the fetcher. Change the partition's role
 * first, then call the manager, as Kafka's replica manager does.
 */
public final class ReplicaFetcherManager implements AutoCloseable {

    private final FetcherConfig config;
    private final LongSupplier brokerEpoch;
    private final IntFunction<LeaderEndpoint> endpoints;
    private final Time time;
    private final EventLoopGroup network;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartition, Integer> leaders = new HashMap<>();

    /** One fetcher of one leader. */
    private record FetcherKey(int leaderId, int fetcherId) {
    }
    private boolean closed;

    /**
     * @param brokerEpoch   this broker's epoch from its latest registration
     * @param leaderAddress broker id → its inter-broker endpoint in the current metadata image
     */
    public ReplicaFetcherManager(FetcherConfig config, LongSupplier brokerEpoch,
                                 IntFunction<Optional<InetSocketAddress>> leaderAddress, Time time) {
        this(config, brokerEpoch, leaderAddress, null, time);
    }

    /** As the plaintext constructor, fetching over TLS when {@code tls} is not null (an SSL inter-broker listener). */
    public ReplicaFetcherManager(FetcherConfig config, LongSupplier brokerEpoch,
                                 IntFunction<Optional<InetSocketAddress>> leaderAddress, ConnectionTls tls, Time time) {
        this(config, brokerEpoch, time, BrokerConnection.newEventLoopGroup("strand-replica-network", 1),
                leaderAddress, tls);
    }

    private ReplicaFetcherManager(FetcherConfig config, LongSupplier brokerEpoch, Time time, EventLoopGroup network,
                                  IntFunction<Optional<InetSocketAddress>> leaderAddress, ConnectionTls tls) {
        this(config, brokerEpoch, leaderId -> new NettyLeaderEndpoint(leaderId, () -> leaderAddress.apply(leaderId),
                config, network, tls), time, network);
    }

    /** With leaders reached through {@code endpoints} (tests); {@code network}, if any, is closed with it. */
    ReplicaFetcherManager(FetcherConfig config, LongSupplier brokerEpoch, IntFunction<LeaderEndpoint> endpoints,
                          Time time, EventLoopGroup network) {
        this.config = config;
        this.brokerEpoch = brokerEpoch;
        this.endpoints = endpoints;
        this.time = time;
        this.network = network;
    }

    /**
     * Follows {@code replica} from broker {@code leaderId} at {@code leaderEpoch}, from its log end. A
     * partition followed from another leader moves; one followed from the same leader continues at the
     * new epoch (an answer for the old epoch is dropped).
     */
    public synchronized void follow(FollowerReplica replica, int leaderId, int leaderEpoch) {
        if (closed) {
            throw new IllegalStateException("replica fetchers are closed");
        }
        if (leaderId == config.replicaId()) {
            throw new IllegalArgumentException("partition=" + replica.topicPartition() + ": broker " + leaderId
                    + " cannot follow itself");
        }
        TopicPartition tp = replica.topicPartition();
        Integer previous = leaders.get(tp);
        if (previous != null && previous != leaderId) {
            removeFrom(previous, tp);
        }
        FetcherKey key = keyOf(leaderId, tp);
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher == null) {
            fetcher = new ReplicaFetcher(endpoints.apply(leaderId), config, brokerEpoch, time, key.fetcherId());
            fetchers.put(key, fetcher);
            fetcher.start();
        }
        fetcher.addPartition(replica, leaderEpoch);
        leaders.put(tp, leaderId);
    }

    /** Stops following {@code tp} (it became leader, or left this broker); nothing if not followed. */
    public synchronized void unfollow(TopicPartition tp) {
        Integer leaderId = leaders.remove(tp);
        if (leaderId != null) {
            removeFrom(leaderId, tp);
        }
    }

    /** The broker {@code tp} is followed from, if it is. */
    public synchronized OptionalInt leaderOf(TopicPartition tp) {
        Integer leaderId = leaders.get(tp);
        return leaderId == null ? OptionalInt.empty() : OptionalInt.of(leaderId);
    }

    /** How many fetchers run (over every leader followed). */
    public synchronized int fetcherCount() {
        return fetchers.size();
    }

    private FetcherKey keyOf(int leaderId, TopicPartition tp) {
        return new FetcherKey(leaderId, config.fetcherIdOf(tp.topic(), tp.partition()));
    }

    private void removeFrom(int leaderId, TopicPartition tp) {
        FetcherKey key = keyOf(leaderId, tp);
        ReplicaFetcher fetcher = fetchers.get(key);
        if (fetcher == null) {
            return;
        }
        fetcher.removePartition(tp);
        if (fetcher.partitionCount() == 0) {
            fetchers.remove(key);
            fetcher.close();
        }
    }

    /** Stops every fetcher thread and connection; idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (ReplicaFetcher fetcher : fetchers.values()) {
            fetcher.close();
        }
        fetchers.clear();
        leaders.clear();
        if (network != null) {
            network.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
