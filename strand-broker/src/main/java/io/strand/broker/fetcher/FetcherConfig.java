package io.strand.broker.fetcher;

/**
 * The follower's fetch settings, under Kafka's property names; {@link #withKafkaDefaults} gives
 * Kafka's defaults.
 *
 * @param replicaId         this broker's id ({@code node.id}), sent as the fetching replica
 * @param fetchMaxBytes     {@code replica.fetch.max.bytes}: per partition (at least one batch comes anyway)
 * @param responseMaxBytes  {@code replica.fetch.response.max.bytes}: per response
 * @param maxWaitMs         {@code replica.fetch.wait.max.ms}: how long the leader may hold a fetch
 * @param minBytes          {@code replica.fetch.min.bytes}: what the leader waits for
 * @param backoffMs         {@code replica.fetch.backoff.ms}: the pause after an error, and the least time
 *                          between two connection attempts to one leader
 * @param requestTimeoutMs  {@code replica.socket.timeout.ms}: connecting plus one request and its answer
 * @param fetchersPerLeader {@code num.replica.fetchers}: fetchers (threads and connections) that share the
 *                          partitions followed from one leader
 * @param sasl              how to authenticate to a SASL inter-broker listener; null for PLAINTEXT
 */
public record FetcherConfig(int replicaId, int fetchMaxBytes, int responseMaxBytes, int maxWaitMs, int minBytes,
                            int backoffMs, int requestTimeoutMs, int fetchersPerLeader, SaslClientSettings sasl) {

    public FetcherConfig {
        if (replicaId < 0) {
            throw new IllegalArgumentException("replicaId=" + replicaId + " must be >= 0");
        }
        if (fetchMaxBytes <= 0 || responseMaxBytes <= 0 || maxWaitMs < 0 || minBytes < 0 || backoffMs < 0) {
            throw new IllegalArgumentException("invalid fetcher config " + this);
        }
        if (fetchersPerLeader < 1) {
            throw new IllegalArgumentException("num.replica.fetchers=" + fetchersPerLeader + " must be >= 1");
        }
        if (requestTimeoutMs <= maxWaitMs) {
            throw new IllegalArgumentException("replica.socket.timeout.ms=" + requestTimeoutMs
                    + " must exceed replica.fetch.wait.max.ms=" + maxWaitMs);
        }
    }

    /** Over PLAINTEXT. */
    public FetcherConfig(int replicaId, int fetchMaxBytes, int responseMaxBytes, int maxWaitMs, int minBytes,
                         int backoffMs, int requestTimeoutMs, int fetchersPerLeader) {
        this(replicaId, fetchMaxBytes, responseMaxBytes, maxWaitMs, minBytes, backoffMs, requestTimeoutMs,
                fetchersPerLeader, null);
    }

    /** With one fetcher per leader. */
    public FetcherConfig(int replicaId, int fetchMaxBytes, int responseMaxBytes, int maxWaitMs, int minBytes,
                         int backoffMs, int requestTimeoutMs) {
        this(replicaId, fetchMaxBytes, responseMaxBytes, maxWaitMs, minBytes, backoffMs, requestTimeoutMs, 1);
    }

    public static FetcherConfig withKafkaDefaults(int replicaId) {
        return new FetcherConfig(replicaId, 1_048_576, 10_485_760, 500, 1, 1_000, 30_000, 1);
    }

    /**
     * Which of a leader's fetchers follows {@code topic}-{@code partition}: Kafka's spread (a hash of the
     * topic name and the partition), so partitions of one topic land on different fetchers.
     */
    public int fetcherIdOf(String topic, int partition) {
        return Math.floorMod(31 * topic.hashCode() + partition, fetchersPerLeader);
    }

    /** The client id the fetcher's requests carry. */
    public String clientId() {
        return "strand-replica-fetcher-" + replicaId;
    }
}
