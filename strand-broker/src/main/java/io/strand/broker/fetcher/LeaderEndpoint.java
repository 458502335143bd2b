package io.strand.broker.fetcher;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;

/**
 * The leader a {@link ReplicaFetcher} fetches from: one broker, reached over the network
 * ({@link NettyLeaderEndpoint}) or, in tests, in memory.
 *
 * <p>Requests are written for the newest versions (topic ids and names both set, the replica in
 * {@code replica_state}); an endpoint speaking an older version moves the fields where that version
 * has them. A future fails with a kafka-clients {@code ApiException} (for instance
 * {@code NetworkException}, {@code RequestTimeoutException}) when no answer comes. Callers send one
 * request at a time.
 */
public interface LeaderEndpoint extends AutoCloseable {

    /** The leader's broker id. */
    int brokerId();

    CompletableFuture<FetchResponseData> fetch(FetchRequestData request);

    CompletableFuture<ListOffsetsResponseData> listOffsets(ListOffsetsRequestData request);

    /** Fails what is in flight and releases the connection; idempotent. */
    @Override
    void close();
}
