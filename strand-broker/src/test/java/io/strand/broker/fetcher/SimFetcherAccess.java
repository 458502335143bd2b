package io.strand.broker.fetcher;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;

/**
 * Lets a single-threaded simulation drive a {@link ReplicaFetcher} in halves, as its thread would but
 * without blocking: build a round, send it however the simulation likes, apply the answer when (and
 * if) it arrives. The fetcher's thread is never started. Stateless.
 */
public final class SimFetcherAccess {

    private SimFetcherAccess() {
    }

    /** A round in flight: opaque to the simulation except for its request. */
    public record Round(ReplicaFetcher.FetchRound round) {
        public FetchRequestData request() {
            return round.request();
        }
    }

    /** The Fetch for every partition ready now, or null if none is. */
    public static Round buildRound(ReplicaFetcher fetcher) {
        ReplicaFetcher.FetchRound round = fetcher.buildRound();
        return round == null ? null : new Round(round);
    }

    public static void processResponse(ReplicaFetcher fetcher, Round round, FetchResponseData response) {
        fetcher.processResponse(round.round(), response);
    }

    /**
     * Whether a partition waits for the leader's offsets (after OFFSET_OUT_OF_RANGE): only the
     * fetcher's {@code doWork} resets those, asking the endpoint's ListOffsets.
     */
    public static boolean anyResetting(ReplicaFetcher fetcher, Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionFetchState state = fetcher.state(tp);
            if (state != null && state.phase() == PartitionFetchState.Phase.RESETTING) {
                return true;
            }
        }
        return false;
    }

    /** One whole round of the fetcher on the caller's thread; the endpoint must answer at once. */
    public static void doWork(ReplicaFetcher fetcher) {
        fetcher.doWork();
    }

    /** Where {@code tp} stands in the fetcher, for failure messages. */
    public static String describe(ReplicaFetcher fetcher, TopicPartition tp) {
        return String.valueOf(fetcher.state(tp));
    }
}
