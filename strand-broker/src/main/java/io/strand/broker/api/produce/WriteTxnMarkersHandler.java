package io.strand.broker.api.produce;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedProduce;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.CoordinatorMarkerWriter;
import io.strand.broker.txn.LocalMarkerWriter;
import io.strand.storage.log.LogAppendResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WriteTxnMarkers (v1–2, as Kafka 4 serves it; v0 was removed by KIP-896): a transaction coordinator
 * asks the leaders of a transaction's partitions to write its commit or abort marker. Each marker names
 * a producer (id, epoch), the result, the coordinator's epoch, its partitions and, from v2, the
 * transaction version (KIP-1228; 0 before, the legacy rules).
 *
 * <p>Per partition, as Kafka's {@code KafkaApis.handleWriteTxnMarkersRequest}:
 * <ul>
 *   <li>not hosted here, or hosted in a failed log directory: UNKNOWN_TOPIC_OR_PARTITION (Kafka asks
 *       for an online partition only);
 *   <li>owned by a coordinator ({@link CoordinatorMarkerWriter#owns}, the group coordinator's
 *       {@code __consumer_offsets}): handed to it; its COORDINATOR_NOT_AVAILABLE,
 *       COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR become NOT_LEADER_OR_FOLLOWER, which the
 *       transaction coordinator retries;
 *   <li>otherwise appended as leader ({@link Partition#appendMarkerAsLeader}) with acks=all semantics:
 *       NOT_LEADER_OR_FOLLOWER if this broker does not lead, NOT_ENOUGH_REPLICAS if the ISR is below
 *       {@code min.insync.replicas}, the log's INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED or
 *       KAFKA_STORAGE_ERROR; then answered once the high watermark passes the marker
 *       (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below the minimum meanwhile, REQUEST_TIMED_OUT
 *       after {@value #REPLICATION_TIMEOUT_MS} ms, Kafka's {@code request.timeout.ms} default).
 * </ul>
 * The response has one entry per producer id (markers of the same producer merged), each with the
 * partitions of its markers; a marker without partitions adds nothing, an empty request gets an empty
 * response. A partition named twice for the same producer is written once. A marker with a negative
 * producer id or epoch names no producer: its hosted partitions get INVALID_REQUEST and nothing is
 * written.
 *
 * <p>An inter-broker API (Kafka's listeners: broker): served on every listener like a follower's
 * Fetch; Kafka requires CLUSTER_ACTION (or ALTER on the cluster), which only an authorizer could deny,
 * and this broker has none. Runs on the request pool: it appends. This broker's own transaction
 * coordinator writes the markers of the partitions led here through {@link #localWriter}, on its marker
 * channel's thread, without a request.
 */
public final class WriteTxnMarkersHandler implements ApiHandler<WriteTxnMarkersRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 2;
    /** How long a marker may wait to be replicated: Kafka's {@code request.timeout.ms} default. */
    static final long REPLICATION_TIMEOUT_MS = 30_000L;

    private static final Logger LOG = LoggerFactory.getLogger(WriteTxnMarkersHandler.class);
    private static final short FIRST_TRANSACTION_VERSION_VERSION = 2;

    private final ReplicaManager replicaManager;
    private final CoordinatorMarkerWriter coordinatorMarkers;

    public WriteTxnMarkersHandler(ReplicaManager replicaManager, CoordinatorMarkerWriter coordinatorMarkers) {
        this.replicaManager = replicaManager;
        this.coordinatorMarkers = coordinatorMarkers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<WriteTxnMarkersResponseData> handle(RequestContext context, WriteTxnMarkersRequest request) {
        return write(request.data(), request.version(), context.eventLoop());
    }

    /**
     * This broker's own transaction coordinator's markers, written in-process as a request of
     * {@link LocalMarkerWriter#VERSION} would be: the same checks, appends and answers.
     */
    public LocalMarkerWriter localWriter() {
        return (request, timer) -> write(request, LocalMarkerWriter.VERSION, timer);
    }

    /**
     * Writes every marker of {@code data} (the fields of {@code version}) on the calling thread and
     * answers once each partition has its outcome; {@code timer} runs the replication time-out.
     */
    private CompletableFuture<WriteTxnMarkersResponseData> write(WriteTxnMarkersRequestData data, short version,
                                                                 ScheduledExecutorService timer) {
        boolean withVersion = version >= FIRST_TRANSACTION_VERSION_VERSION;
        // Kafka collects the answers in a ConcurrentHashMap by producer id and answers in its iteration
        // order; the same map type gives the same order (clients match markers by producer id anyway).
        Map<Long, Map<TopicPartition, CompletableFuture<Errors>>> answers = new ConcurrentHashMap<>();
        List<DelayedProduce.Waiting> waiting = new ArrayList<>();
        List<CompletableFuture<Errors>> all = new ArrayList<>();
        for (WritableTxnMarker marker : data.markers()) {
            Map<TopicPartition, CompletableFuture<Errors>> ofProducer =
                    answers.computeIfAbsent(marker.producerId(), k -> new LinkedHashMap<>());
            short transactionVersion = withVersion ? marker.transactionVersion() : 0;
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                for (int index : topic.partitionIndexes()) {
                    TopicPartition tp = new TopicPartition(topic.name(), index);
                    if (!ofProducer.containsKey(tp)) {
                        CompletableFuture<Errors> answer = write(tp, marker, transactionVersion, waiting);
                        ofProducer.put(tp, answer);
                        all.add(answer);
                    }
                }
            }
        }
        new DelayedProduce(waiting).start(timer, REPLICATION_TIMEOUT_MS);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> respond(answers));
    }

    private CompletableFuture<Errors> write(TopicPartition tp, WritableTxnMarker marker, short transactionVersion,
                                            List<DelayedProduce.Waiting> waiting) {
        Optional<Partition> hosted = replicaManager.partition(tp);
        if (hosted.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (marker.producerId() < 0 || marker.producerEpoch() < 0) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        if (coordinatorMarkers.owns(tp)) {
            return writeThroughCoordinator(tp, marker);
        }
        Partition partition = hosted.get();
        try {
            LogAppendResult result = partition.appendMarkerAsLeader(marker.producerId(), marker.producerEpoch(),
                    marker.coordinatorEpoch(), marker.transactionResult(), transactionVersion);
            replicaManager.notifyAppended(tp);
            long replicatedEnd = result.lastOffset() + 1;
            if (partition.highWatermark() >= replicatedEnd) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            CompletableFuture<Errors> answer = new CompletableFuture<>();
            waiting.add(new DelayedProduce.Waiting(partition.awaitHighWatermark(replicatedEnd),
                    () -> partition.maximalIsr().size() < partition.minInsyncReplicas()
                            ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND : Errors.NONE,
                    answer::complete));
            return answer;
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(Errors.forException(e));
        } catch (RuntimeException e) {
            LOG.error("Writing the {} marker of producer {} to {} failed", marker.transactionResult() ? "commit" : "abort",
                    marker.producerId(), tp, e);
            return CompletableFuture.completedFuture(Errors.forException(e));
        }
    }

    private CompletableFuture<Errors> writeThroughCoordinator(TopicPartition tp, WritableTxnMarker marker) {
        CompletableFuture<Errors> written;
        try {
            written = coordinatorMarkers.writeMarker(tp, marker.producerId(), marker.producerEpoch(),
                    marker.coordinatorEpoch(), marker.transactionResult());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((error, failure) -> {
            Errors answer = failure == null ? error : Errors.forException(
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            // The transaction coordinator retries NOT_LEADER_OR_FOLLOWER; it does not expect these.
            return answer == Errors.COORDINATOR_NOT_AVAILABLE || answer == Errors.COORDINATOR_LOAD_IN_PROGRESS
                    || answer == Errors.NOT_COORDINATOR ? Errors.NOT_LEADER_OR_FOLLOWER : answer;
        });
    }

    private static WriteTxnMarkersResponseData respond(Map<Long, Map<TopicPartition, CompletableFuture<Errors>>> answers) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        for (Map.Entry<Long, Map<TopicPartition, CompletableFuture<Errors>>> producer : answers.entrySet()) {
            if (producer.getValue().isEmpty()) {
                continue;
            }
            Map<String, WritableTxnMarkerTopicResult> topics = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, CompletableFuture<Errors>> partition : producer.getValue().entrySet()) {
                TopicPartition tp = partition.getKey();
                topics.computeIfAbsent(tp.topic(), name -> new WritableTxnMarkerTopicResult().setName(name))
                        .partitions().add(new WritableTxnMarkerPartitionResult().setPartitionIndex(tp.partition())
                                .setErrorCode(partition.getValue().join().code()));
            }
            response.markers().add(new WritableTxnMarkerResult().setProducerId(producer.getKey())
                    .setTopics(new ArrayList<>(topics.values())));
        }
        return response;
    }
}
