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
 */
public record FetcherConfig(int replicaId, int fetchMaxBytes, int responseMaxBytes, int maxWaitMs, int minBytes,
                            int backoffMs, int requestTimeoutMs) {

    public FetcherConfig {
        if (replicaId < 0) {
            throw new IllegalArgumentException("replicaId=" + replicaId + " must be >= 0");
        }
        if (fetchMaxBytes <= 0 || responseMaxBytes <= 0 || maxWaitMs < 0 || minBytes < 0 || backoffMs < 0) {
            throw new IllegalArgumentException("invalid fetcher config " + this);
        }
        if (requestTimeoutMs <= maxWaitMs) {
            throw new IllegalArgumentException("replica.socket.timeout.ms=" + requestTimeoutMs
                    + " must exceed replica.fetch.wait.max.ms=" + maxWaitMs);
        }
    }

    public static FetcherConfig withKafkaDefaults(int replicaId) {
        return new FetcherConfig(replicaId, 1_048_576, 10_485_760, 500, 1, 1_000, 30_000);
    }

    /** The client id the fetcher's requests carry. */
    public String clientId() {
        return "strand-replica-fetcher-" + replicaId;
    }
}
