package io.strand.broker.api.fetch;

import io.strand.broker.api.RequestChecks;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedFetch;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.log.LogReadResult;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch (v4–18) for consumers: reads each partition up to its high watermark (the last stable
 * offset, which equals it until transactions arrive), within the partition and response byte
 * limits, at least one whole batch for the first partition with data so that a large batch never
 * blocks a consumer. Records leave as slices of the segment files (zero copy).
 *
 * <p>With less than {@code min_bytes} to return and {@code max_wait_ms > 0}, the fetch waits in the
 * {@link FetchPurgatory} until appends bring enough or the wait is over. Sessions (KIP-227) come from
 * the {@link FetchSessionCache}. A read_committed fetch gets an empty aborted-transaction list.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    static final short MIN_VERSION = 4;
    static final short MAX_VERSION = 18;

    private static final Logger LOG = LoggerFactory.getLogger(FetchHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;
    private final FetchSessionCache sessions;
    private final FetchPurgatory purgatory;

    public FetchHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, FetchSessionCache sessions,
                        FetchPurgatory purgatory) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.sessions = sessions;
        this.purgatory = purgatory;
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
        IsolationLevel isolation = RequestChecks.isolationLevel(request.data().isolationLevel());
        boolean usesTopicIds = request.version() >= FIRST_TOPIC_ID_VERSION;
        Map<Uuid, String> topicNames = usesTopicIds ? topicNames(image.get()) : Map.of();
        FetchContext fetchContext = sessions.newContext(request.metadata(), request.fetchData(topicNames),
                request.forgottenTopics(topicNames), usesTopicIds);
        boolean readCommitted = isolation == IsolationLevel.READ_COMMITTED;
        Read first = read(fetchContext, request, readCommitted);
        if (first.bytes >= request.minBytes() || request.maxWait() <= 0 || first.hasError
                || fetchContext instanceof FetchContext.SessionError || fetchContext.partitionsToRead().isEmpty()) {
            return CompletableFuture.completedFuture(fetchContext.respond(first.partitions));
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
                    Read again = read(fetchContext, request, readCommitted);
                    if (again.bytes >= request.minBytes() || again.hasError) {
                        response.complete(fetchContext.respond(again.partitions));
                        return true;
                    }
                    return false;
                },
                () -> response.complete(fetchContext.respond(read(fetchContext, request, readCommitted).partitions)));
        // The long poll lives on the connection's event loop; the first read ran on a pool thread if
        // an earlier request of the connection was still there. From the loop itself this queues a
        // task without a wake-up.
        context.eventLoop().execute(() -> delayed.start(request.maxWait(), response));
        return response;
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

    /** What one pass over the partitions found. */
    private record Read(LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> partitions, long bytes,
                        boolean hasError) {
    }

    private Read read(FetchContext fetchContext, FetchRequest request, boolean readCommitted) {
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> result = new LinkedHashMap<>();
        int remainingBytes = request.maxBytes();
        long totalBytes = 0;
        boolean minOneBatch = true;
        boolean hasError = false;
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : fetchContext.partitionsToRead().entrySet()) {
            FetchResponseData.PartitionData data = readPartition(e.getKey(), e.getValue(),
                    Math.min(e.getValue().maxBytes, Math.max(remainingBytes, 0)), minOneBatch, readCommitted);
            int size = FetchResponse.recordsSize(data);
            if (size > 0) {
                minOneBatch = false;
                remainingBytes -= size;
                totalBytes += size;
            }
            hasError |= data.errorCode() != Errors.NONE.code();
            result.put(e.getKey(), data);
        }
        return new Read(result, totalBytes, hasError);
    }

    private FetchResponseData.PartitionData readPartition(TopicIdPartition tip, FetchRequest.PartitionData wanted,
                                                          int maxBytes, boolean minOneBatch, boolean readCommitted) {
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(tip.partition())
                .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
                .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
                .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
                .setRecords(MemoryRecords.EMPTY);
        if (tip.topic() == null) {
            return data.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
        }
        Optional<Partition> partition = replicaManager.partition(tip.topicPartition());
        if (partition.isEmpty()) {
            return data.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Partition p = partition.get();
        try {
            p.checkLeaderEpoch(wanted.currentLeaderEpoch.orElse(-1));
            LogReadResult read = p.readForConsumer(wanted.fetchOffset, maxBytes, minOneBatch);
            data.setHighWatermark(read.highWatermark())
                    .setLastStableOffset(read.highWatermark())
                    .setLogStartOffset(read.logStartOffset())
                    .setRecords(read.records());
            if (readCommitted) {
                data.setAbortedTransactions(new ArrayList<>());
            }
            return data;
        } catch (ApiException e) {
            data.setErrorCode(Errors.forException(e).code());
            data.setHighWatermark(p.log().highWatermark())
                    .setLastStableOffset(p.log().highWatermark())
                    .setLogStartOffset(p.log().logStartOffset());
            return data;
        } catch (RuntimeException e) {
            LOG.error("Read of {} at offset {} failed", tip, wanted.fetchOffset, e);
            return data.setErrorCode(Errors.forException(e).code());
        }
    }
}
