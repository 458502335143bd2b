package io.strand.broker.api.fetch;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * How one fetch request relates to a fetch session: which partitions to read, and how to turn what
 * was read into the response (all partitions for a full fetch; only the changed ones for an
 * incremental one, updating the session's memory as it goes).
 */
public sealed interface FetchContext {

    /** The partitions to read, in the order to fill the response. */
    Map<TopicIdPartition, FetchRequest.PartitionData> partitionsToRead();

    /** Builds the response from what was read; call once. */
    FetchResponseData respond(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read);

    /**
     * The answer to a fetch throttled by its client's quota, in place of {@link #respond}: no
     * partitions and {@code throttleTimeMs}, as Kafka's {@code getThrottledResponse}; a request in a
     * session keeps it (the session's memory is unchanged, so the next fetch reads the same positions),
     * any other gets no session.
     */
    default FetchResponseData throttled(int throttleTimeMs) {
        int sessionId = this instanceof Incremental incremental ? incremental.session().id
                : org.apache.kafka.common.requests.FetchMetadata.INVALID_SESSION_ID;
        return FetchResponse.of(Errors.NONE, throttleTimeMs, sessionId, new LinkedHashMap<>(), java.util.List.of())
                .data();
    }

    /** A fetch that is not (or no longer) in a session, or the first of a new session. */
    record Full(int sessionId, Map<TopicIdPartition, FetchRequest.PartitionData> partitionsToRead,
                FetchSession session) implements FetchContext {
        @Override
        public FetchResponseData respond(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read) {
            if (session != null) {
                synchronized (session) {
                    for (Map.Entry<TopicIdPartition, FetchResponseData.PartitionData> e : read.entrySet()) {
                        FetchSession.CachedPartition cached = session.partitions.get(e.getKey());
                        if (cached != null) {
                            remember(cached, e.getValue());
                        }
                    }
                }
            }
            return FetchResponse.of(Errors.NONE, 0, sessionId, nameless(read), java.util.List.of()).data();
        }
    }

    /** A request in an existing session: only partitions with news go back. */
    record Incremental(FetchSession session, Map<TopicIdPartition, FetchRequest.PartitionData> partitionsToRead)
            implements FetchContext {
        @Override
        public FetchResponseData respond(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read) {
            synchronized (session) {
                Iterator<Map.Entry<TopicIdPartition, FetchResponseData.PartitionData>> it = read.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<TopicIdPartition, FetchResponseData.PartitionData> e = it.next();
                    FetchSession.CachedPartition cached = session.partitions.get(e.getKey());
                    if (cached == null) {
                        continue;
                    }
                    FetchResponseData.PartitionData data = e.getValue();
                    boolean hasRecords = FetchResponse.recordsSize(data) > 0;
                    boolean changed = hasRecords || data.errorCode() != Errors.NONE.code()
                            || data.divergingEpoch().epoch() >= 0
                            || data.highWatermark() != cached.highWatermark
                            || data.lastStableOffset() != cached.lastStableOffset
                            || data.logStartOffset() != cached.logStartOffset;
                    if (!changed) {
                        it.remove();
                        continue;
                    }
                    remember(cached, data);
                    if (hasRecords) {
                        session.partitions.remove(e.getKey());
                        session.partitions.put(e.getKey(), cached);
                    }
                }
            }
            return FetchResponse.of(Errors.NONE, 0, session.id, nameless(read), java.util.List.of()).data();
        }
    }

    /**
     * {@code read}, or a copy naming "" the partitions of an unresolved zero topic id: kafka-clients'
     * response builder groups partitions of a topic without an id by name, and a second partition of
     * the zero id with no name would make it throw, failing the whole request with UNKNOWN_SERVER_ERROR
     * instead of each partition's UNKNOWN_TOPIC_ID. Versions with topic ids never send the name.
     */
    private static LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> nameless(
            LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read) {
        boolean unresolvedZeroId = false;
        for (TopicIdPartition tip : read.keySet()) {
            if (tip.topic() == null && Uuid.ZERO_UUID.equals(tip.topicId())) {
                unresolvedZeroId = true;
                break;
            }
        }
        if (!unresolvedZeroId) {
            return read;
        }
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> named = new LinkedHashMap<>();
        read.forEach((tip, data) -> named.put(tip.topic() == null && Uuid.ZERO_UUID.equals(tip.topicId())
                ? new TopicIdPartition(Uuid.ZERO_UUID, tip.partition(), "") : tip, data));
        return named;
    }

    /** The request's session metadata was wrong: a top-level error and no partitions. */
    record SessionError(Errors error) implements FetchContext {
        @Override
        public Map<TopicIdPartition, FetchRequest.PartitionData> partitionsToRead() {
            return Map.of();
        }

        @Override
        public FetchResponseData respond(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read) {
            return FetchResponse.of(error, 0, 0, new LinkedHashMap<>(), java.util.List.of()).data();
        }
    }

    private static void remember(FetchSession.CachedPartition cached, FetchResponseData.PartitionData data) {
        cached.highWatermark = data.highWatermark();
        cached.lastStableOffset = data.lastStableOffset();
        cached.logStartOffset = data.logStartOffset();
    }
}
