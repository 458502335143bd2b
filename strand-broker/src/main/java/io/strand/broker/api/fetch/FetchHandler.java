package io.strand.broker.api.fetch;

import io.strand.broker.metrics.BrokerMetrics;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ConnectionScope;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedFetch;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.QuotaType;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.index.AbortedTxn;
import io.strand.storage.log.LogReadResult;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch (v4–18) for consumers: reads each partition up to its high watermark (read_uncommitted) or
 * its last stable offset (read_committed), within the partition and response byte limits, at least one whole batch for the first partition with data so that a large batch never
 * blocks a consumer. Records leave as slices of the segment files (zero copy).
 *
 * <p><b>Followers.</b> A fetch with a replica id (v&lt;15 {@code replica_id} ≥ 0, v15+
 * {@code replica_state}) comes from a follower: it reads up to the log end, and its fetch offset
 * is the follower's log end, which the leader {@link Partition} records — advancing the high
 * watermark and the ISR. With {@code last_fetched_epoch} (v12+) the follower's log is first checked
 * against this one: where it diverges, the answer carries no records but the {@code diverging_epoch}
 * to truncate to. A follower's fetch that finds nothing waits like a consumer's.
 *
 * <p>{@code NOT_LEADER_OR_FOLLOWER} and {@code FENCED_LEADER_EPOCH} answers carry the partition's
 * current leader (v12+) and its endpoint (v16+, KIP-951).
 *
 * <p>With less than {@code min_bytes} to return and {@code max_wait_ms > 0}, the fetch waits in the
 * {@link FetchPurgatory} until appends bring enough or the wait is over. Sessions (KIP-227) come from
 * the {@link FetchSessionCache}.
 *
 * <p><b>Transactions.</b> Every answer (consumer or follower, either isolation) carries the partition's
 * last stable offset as {@code last_stable_offset}, as Kafka's does. A read_committed fetch reads up to
 * it and gets, in {@code aborted_transactions}, the aborted transactions overlapping what it returns
 * (abort marker at or after the fetch offset, first offset before the offset after the last returned
 * batch; an empty list when nothing is returned), from the log's transaction indexes; the consumer
 * drops their records and skips the control batches itself. Other answers (read_uncommitted, followers,
 * errors) leave the list out (null), as Kafka does. A read_committed fetch waiting in the
 * purgatory is woken when the last stable offset may have moved: it moves only with the high watermark
 * or a marker, and both wake the partition's watchers. The read_uncommitted path allocates nothing for
 * any of it.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    static final short MIN_VERSION = 4;
    static final short MAX_VERSION = 18;

    private static final Logger LOG = LoggerFactory.getLogger(FetchHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final short FIRST_LEADER_HINT_VERSION = 12;
    private static final short FIRST_NODE_ENDPOINTS_VERSION = 16;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;
    private final FetchSessionCache sessions;
    private final FetchPurgatory purgatory;
    private final ClientQuotaManager fetchQuota;
    private final BrokerMetrics metrics;

    public FetchHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, FetchSessionCache sessions,
                        FetchPurgatory purgatory) {
        this(replicaManager, image, sessions, purgatory, ClientQuotaManager.disabled(QuotaType.FETCH));
    }

    /**
     * @param fetchQuota the {@code consumer_byte_rate} quota of consumers' fetches (never a follower's):
     *                   it caps a fetch's size and, once over, answers empty with the throttle time
     */
    public FetchHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, FetchSessionCache sessions,
                        FetchPurgatory purgatory, ClientQuotaManager fetchQuota) {
        this(replicaManager, image, sessions, purgatory, fetchQuota, BrokerMetrics.NONE);
    }

    /**
     * @param metrics where the record bytes of each consumer's fetch response (per topic) and each
     *                partition's error are recorded when the response is made
     */
    public FetchHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, FetchSessionCache sessions,
                        FetchPurgatory purgatory, ClientQuotaManager fetchQuota, BrokerMetrics metrics) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.sessions = sessions;
        this.purgatory = purgatory;
        this.fetchQuota = fetchQuota;
        this.metrics = metrics;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    /**
     * On the connection's event loop: a read takes no lock and touches only segment files in the page
     * cache — the same reads the long poll repeats on the loop and {@code sendfile} does when the
     * response goes out. Running here spares a consumer two thread hand-offs per fetch, which is most
     * of a fetch's latency when records arrive one by one.
     */
    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public CompletableFuture<FetchResponseData> handle(RequestContext context, FetchRequest request) {
        boolean usesTopicIds = request.version() >= FIRST_TOPIC_ID_VERSION;
        Map<Uuid, String> topicNames = usesTopicIds ? topicNames(image.get()) : Map.of();
        FetchContext fetchContext = sessions.newContext(request.metadata(), request.fetchData(topicNames),
                request.forgottenTopics(topicNames), usesTopicIds);
        boolean readCommitted = readCommitted(request.data().isolationLevel(), fetchContext);
        Reader reader = new Reader(fetchContext, request, readCommitted, context);
        Read first = reader.read();
        if (first.bytes >= request.minBytes() || request.maxWait() <= 0 || first.hasError
                || fetchContext instanceof FetchContext.SessionError || fetchContext.partitionsToRead().isEmpty()) {
            return CompletableFuture.completedFuture(reader.respond(first));
        }
        CompletableFuture<FetchResponseData> response = new CompletableFuture<>();
        List<TopicPartition> watched = new ArrayList<>();
        for (TopicIdPartition tip : fetchContext.partitionsToRead().keySet()) {
            if (tip.topic() != null) {
                watched.add(tip.topicPartition());
            }
        }
        DelayedFetch delayed = new DelayedFetch(context.eventLoop(), purgatory, watched,
                () -> {
                    Read again = reader.read();
                    if (again.bytes >= request.minBytes() || again.hasError) {
                        response.complete(reader.respond(again));
                        return true;
                    }
                    return false;
                },
                () -> response.complete(reader.respond(reader.read())));
        // The long poll lives on the connection's event loop; the first read ran on a pool thread if
        // an earlier request of the connection was still there. From the loop itself this queues a
        // task without a wake-up.
        context.eventLoop().execute(() -> delayed.start(request.maxWait(), response));
        // A client may ask to wait for days and go away: its connection's close ends the wait (the
        // answer is dropped with the connection), so nothing stays watched for a reader that is gone.
        ConnectionScope.Registration released = context.connection().onClose(delayed::completeNow);
        response.whenComplete((r, e) -> released.remove());
        return response;
    }

    /**
     * Whether the fetch reads committed records only. As Kafka: the isolation level is read only when
     * some partition is there to be read (a session error, or only unknown topics and partitions, are
     * answered whatever it says), and an unknown one then fails the whole request. Kafka fails it as
     * UNKNOWN_SERVER_ERROR (an exception escaping its handler); here it is INVALID_REQUEST, the code for
     * the input, since UNKNOWN_SERVER_ERROR means a handler failed (docs/FIDELITY.md, declared).
     */
    private boolean readCommitted(byte isolationLevel, FetchContext fetchContext) {
        if (isolationLevel == IsolationLevel.READ_COMMITTED.id()) {
            return true;
        }
        if (isolationLevel != IsolationLevel.READ_UNCOMMITTED.id()) {
            MetadataImage current = image.get();
            for (TopicIdPartition tip : fetchContext.partitionsToRead().keySet()) {
                if (inMetadata(current, tip)) {
                    throw new InvalidRequestException("Unknown isolation level " + isolationLevel);
                }
            }
        }
        return false;
    }

    /** Whether the metadata knows the partition (Kafka answers the others without reading). */
    private static boolean inMetadata(MetadataImage current, TopicIdPartition tip) {
        return tip.topic() != null && current.topics().byName(tip.topic())
                .map(t -> t.partitions().containsKey(tip.partition())).orElse(false);
    }

    /**
     * Topic id → name as kafka-clients' request helpers look it up ({@code get} and
     * {@code containsKey} only), answered from the image's index instead of a map built per fetch.
     */
    private static Map<Uuid, String> topicNames(MetadataImage current) {
        return new AbstractMap<>() {
            @Override
            public String get(Object key) {
                return key instanceof Uuid id ? current.topics().byId(id).map(TopicImage::name).orElse(null) : null;
            }

            @Override
            public boolean containsKey(Object key) {
                return get(key) != null;
            }

            @Override
            public Set<Entry<Uuid, String>> entrySet() {
                throw new UnsupportedOperationException("lookups only");
            }
        };
    }

    /** What one pass over the partitions found; {@code hasError} also when a follower must truncate. */
    private record Read(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> partitions, long bytes,
                        boolean hasError, Set<Integer> leaderHints) {
    }

    /** One request's reads: the first, and those of its long poll. */
    private final class Reader {
        private final FetchContext fetchContext;
        private final FetchRequest request;
        private final boolean readCommitted;
        private final RequestContext context;
        private final String listenerName;
        /** The follower fetching, or -1 for a consumer. */
        private final int replicaId;
        private final long replicaEpoch;
        /** A consumer under a {@code consumer_byte_rate} quota (checked once, up front). */
        private final boolean quotaApplies;
        /** The request's {@code max_bytes}, capped by the bytes the client's quota lets through at once. */
        private final int maxBytes;

        Reader(FetchContext fetchContext, FetchRequest request, boolean readCommitted, RequestContext context) {
            this.fetchContext = fetchContext;
            this.request = request;
            this.readCommitted = readCommitted;
            this.context = context;
            this.listenerName = context.listenerName();
            this.replicaId = request.replicaId() >= 0 ? request.replicaId() : -1;
            this.replicaEpoch = request.version() >= 15 ? request.replicaEpoch() : -1L;
            this.quotaApplies = replicaId < 0 && fetchQuota.enabled();
            this.maxBytes = quotaApplies
                    ? (int) Math.min(request.maxBytes(),
                            fetchQuota.maxValueInQuotaWindow(context.principal(), context.clientId()))
                    : request.maxBytes();
        }

        /**
         * The response to what was read. A consumer under a quota has the bytes read recorded first, as
         * Kafka records a fetch response's size; when that puts it over, the bytes are taken back and
         * the answer is empty with the throttle time (Kafka's throttled fetch response).
         */
        FetchResponseData respond(Read read) {
            if (quotaApplies) {
                int throttleTimeMs = fetchQuota.recordAndGetThrottleTimeMs(context.principal(), context.clientId(),
                        read.bytes);
                if (throttleTimeMs > 0) {
                    fetchQuota.unrecord(context.principal(), context.clientId(), read.bytes);
                    if (fetchContext instanceof FetchContext.Full full && full.session() != null) {
                        // Kafka creates a new session only with a fetch it answers in full.
                        sessions.remove(full.sessionId());
                    }
                    return fetchContext.throttled(throttleTimeMs);
                }
            }
            FetchResponseData response = fetchContext.respond(read.partitions);
            record(read);
            if (!read.leaderHints.isEmpty() && request.version() >= FIRST_NODE_ENDPOINTS_VERSION) {
                MetadataImage current = image.get();
                for (int leaderId : read.leaderHints) {
                    BrokerRegistration leader = current.brokers().get(leaderId);
                    // As Kafka: only a live (unfenced) leader's endpoint is given.
                    if (leader != null && !leader.fenced()) {
                        leader.endpoint(listenerName).ifPresent(endpoint -> response.nodeEndpoints().add(
                                new FetchResponseData.NodeEndpoint().setNodeId(leaderId).setHost(endpoint.host())
                                        .setPort(endpoint.port()).setRack(leader.rack())));
                    }
                }
            }
            return response;
        }

        /**
         * Records what this response carries: each partition's error, and a consumer's record bytes per
         * topic (a follower's are replication, not counted). Once per response, not per pass of a long poll.
         */
        private void record(Read read) {
            if (!read.hasError && (replicaId >= 0 || read.bytes == 0)) {
                return;
            }
            for (Map.Entry<TopicIdPartition, FetchResponseData.PartitionData> e : read.partitions.entrySet()) {
                FetchResponseData.PartitionData data = e.getValue();
                if (data.errorCode() != Errors.NONE.code()) {
                    metrics.onRequestError(ApiKeys.FETCH, Errors.forCode(data.errorCode()));
                }
                if (replicaId < 0 && e.getKey().topic() != null) {
                    int size = FetchResponse.recordsSize(data);
                    if (size > 0) {
                        metrics.topic(e.getKey().topic()).onFetched(size);
                    }
                }
            }
        }

        Read read() {
            LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> result = new LinkedHashMap<>();
            Set<Integer> leaderHints = Set.of();
            int remainingBytes = maxBytes;
            long totalBytes = 0;
            boolean minOneBatch = true;
            boolean hasError = false;
            for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : fetchContext.partitionsToRead().entrySet()) {
                FetchResponseData.PartitionData data = readPartition(e.getKey(), e.getValue(),
                        Math.min(e.getValue().maxBytes, Math.max(remainingBytes, 0)), minOneBatch);
                int size = FetchResponse.recordsSize(data);
                if (size > 0) {
                    minOneBatch = false;
                    remainingBytes -= size;
                    totalBytes += size;
                }
                hasError |= data.errorCode() != Errors.NONE.code() || data.divergingEpoch().epoch() >= 0;
                if (data.currentLeader().leaderId() >= 0) {
                    if (leaderHints.isEmpty()) {
                        leaderHints = new LinkedHashSet<>();
                    }
                    leaderHints.add(data.currentLeader().leaderId());
                }
                result.put(e.getKey(), data);
            }
            return new Read(result, totalBytes, hasError, leaderHints);
        }

        private FetchResponseData.PartitionData readPartition(TopicIdPartition tip, FetchRequest.PartitionData wanted,
                                                              int maxBytes, boolean minOneBatch) {
            FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                    .setPartitionIndex(tip.partition())
                    .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
                    .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
                    .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
                    // As Kafka: absent (null) unless a read_committed read lists them, errors included.
                    .setAbortedTransactions(null)
                    .setRecords(MemoryRecords.EMPTY);
            if (tip.topic() == null) {
                // As Kafka: a partition refused before the read (unknown topic id or partition) has an
                // empty list of aborted transactions, one whose read failed none (null).
                return data.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setAbortedTransactions(new ArrayList<>());
            }
            Optional<Partition> partition = replicaManager.partition(tip.topicPartition());
            if (partition.isEmpty()) {
                if (!inMetadata(image.get(), tip)) {
                    return data.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setAbortedTransactions(new ArrayList<>());
                }
                return data.setErrorCode(replicaManager.isOffline(tip.topicPartition())
                        ? Errors.KAFKA_STORAGE_ERROR.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }
            Partition p = partition.get();
            try {
                p.checkLeaderEpoch(wanted.currentLeaderEpoch.orElse(-1));
                if (replicaId >= 0) {
                    readForFollower(p, wanted, maxBytes, minOneBatch, data);
                } else {
                    // Taken before the read: the high watermark the read takes is never below it.
                    long lastStableOffset = p.lastStableOffset();
                    LogReadResult read = readCommitted
                            ? p.readCommitted(wanted.fetchOffset, maxBytes, minOneBatch, lastStableOffset)
                            : p.readForConsumer(wanted.fetchOffset, maxBytes, minOneBatch);
                    data.setHighWatermark(read.highWatermark())
                            .setLastStableOffset(lastStableOffset)
                            .setLogStartOffset(read.logStartOffset())
                            .setRecords(read.records());
                    if (readCommitted) {
                        data.setAbortedTransactions(abortedTransactions(p, wanted.fetchOffset, read.records(),
                                lastStableOffset));
                    }
                }
                return data;
            } catch (ApiException e) {
                Errors error = Errors.forException(e);
                // As Kafka: a partition whose read failed (out of range, a stale or unknown epoch, ...) gets
                // no offsets; the consumer resets with ListOffsets, a follower asks the leader's log ends.
                data.setErrorCode(error.code());
                data.setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
                        .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
                        .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET);
                if ((error == Errors.NOT_LEADER_OR_FOLLOWER || error == Errors.FENCED_LEADER_EPOCH)
                        && request.version() >= FIRST_LEADER_HINT_VERSION && p.leaderId() >= 0) {
                    data.currentLeader().setLeaderId(p.leaderId()).setLeaderEpoch(p.leaderEpoch());
                }
                return data;
            } catch (RuntimeException e) {
                LOG.error("Read of {} at offset {} failed", tip, wanted.fetchOffset, e);
                return data.setErrorCode(Errors.forException(e).code());
            }
        }

        /**
         * The aborted transactions a read_committed consumer needs for {@code records}, read from
         * {@code fetchOffset}: those overlapping [fetch offset, offset after the last returned batch). The
         * log is asked up to the last stable offset first (no I/O where no segment holds an abort); only if
         * it names any are the returned batches walked for their end, and the later ones left out.
         */
        private static List<FetchResponseData.AbortedTransaction> abortedTransactions(Partition p, long fetchOffset,
                                                                                       Records records,
                                                                                       long lastStableOffset) {
            List<FetchResponseData.AbortedTransaction> out = new ArrayList<>();
            if (records.sizeInBytes() == 0) {
                return out;
            }
            List<AbortedTxn> overlapping = p.log().collectAbortedTransactions(fetchOffset, lastStableOffset);
            if (overlapping.isEmpty()) {
                return out;
            }
            long upperBound = fetchOffset;
            for (RecordBatch batch : records.batches()) {
                upperBound = batch.nextOffset();
            }
            for (AbortedTxn txn : overlapping) {
                if (txn.firstOffset() < upperBound) {
                    out.add(new FetchResponseData.AbortedTransaction().setProducerId(txn.producerId())
                            .setFirstOffset(txn.firstOffset()));
                }
            }
            return out;
        }

        /**
         * A follower's read: its log checked against this one first; then up to the log end, and its
         * position recorded. Nothing here blocks: the partition's lock covers memory updates only.
         */
        private void readForFollower(Partition p, FetchRequest.PartitionData wanted, int maxBytes,
                                     boolean minOneBatch, FetchResponseData.PartitionData data) {
            if (wanted.lastFetchedEpoch.isPresent() && wanted.lastFetchedEpoch.get() >= 0) {
                Optional<EpochEndOffset> diverging = p.divergingEpoch(wanted.lastFetchedEpoch.get(), wanted.fetchOffset);
                if (diverging.isPresent()) {
                    data.divergingEpoch().setEpoch(diverging.get().leaderEpoch())
                            .setEndOffset(diverging.get().endOffset());
                    data.setHighWatermark(p.highWatermark())
                            .setLastStableOffset(p.lastStableOffset())
                            .setLogStartOffset(p.log().logStartOffset());
                    return;
                }
            }
            LogReadResult read = p.readForFollower(replicaId, wanted.fetchOffset, maxBytes, minOneBatch);
            p.updateFollowerFetchState(replicaId, replicaEpoch, wanted.fetchOffset, read.logEndOffset(),
                    replicaManager.replication().time().milliseconds());
            long lastStableOffset = p.lastStableOffset();
            long highWatermark = p.highWatermark();
            data.setHighWatermark(highWatermark)
                    .setLastStableOffset(lastStableOffset)
                    .setLogStartOffset(read.logStartOffset())
                    .setRecords(read.records());
        }
    }
}
