package io.strand.broker.txn;

import io.strand.coordinator.txn.TransactionMarkerChannel;
import io.strand.coordinator.txn.TransactionMarkers;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link TransactionMarkerChannel}, as Kafka's {@code TransactionMarkerChannelManager}:
 * each partition's marker goes in a WriteTxnMarkers request (v1+) to the partition's current leader as
 * the metadata image names it, with every marker waiting for the same broker batched into one request,
 * and at most one request in flight per broker. Markers for partitions this broker leads go to the
 * {@link LocalMarkerWriter} (the WriteTxnMarkers handler's own code, in-process) when one is given, and
 * are otherwise sent over this broker's own listener like any other.
 *
 * <h2>Outcomes per partition</h2>
 * <ul>
 *   <li>the partition's answer, reported to the {@link Completion} unless it is retriable;</li>
 *   <li>retriable answers (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS,
 *       REQUEST_TIMED_OUT, …) and failed requests (disconnects, time-outs, no endpoint) are sent again
 *       after {@code retryBackoffMs}, to the leader the image names then;</li>
 *   <li>a partition without a leader waits (looked at again every {@code retryBackoffMs});</li>
 *   <li>a partition whose topic or partition is gone from the image: UNKNOWN_TOPIC_OR_PARTITION;</li>
 *   <li>a broker that does not serve WriteTxnMarkers v1+: UNSUPPORTED_VERSION.</li>
 * </ul>
 *
 * <p>Threads: all state belongs to one thread ({@code strand-txn-markers-<nodeId>}); {@link #send},
 * {@link #cancel} and answers hand their work to it. Completions are called on it. {@link #close} ends
 * the thread and closes the sender's connections; markers not yet written are dropped unreported (the
 * coordinator, closed first, no longer waits for them; a new coordinator resends them).
 */
public final class WriteTxnMarkersChannel implements TransactionMarkerChannel, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WriteTxnMarkersChannel.class);
    /** v0 is gone from Kafka 4 (KIP-896); v2 carries the transaction version. */
    static final short MIN_VERSION = 1;
    private static final short FIRST_TRANSACTION_VERSION_VERSION = 2;

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final BrokerRequestSender sender;
    private final LocalMarkerWriter local;
    private final long retryBackoffMs;
    private final ScheduledExecutorService thread;

    // Owned by the thread.
    /** Markers waiting to be given a destination. */
    private final List<PendingMarker> unassigned = new ArrayList<>();
    /** Per destination broker, markers waiting for the request in flight there to end. */
    private final Map<Integer, List<PendingMarker>> queued = new TreeMap<>();
    private final Set<Integer> inFlight = new HashSet<>();
    private boolean retryScheduled;
    private boolean closed;

    private record PendingMarker(TransactionMarkers markers, TopicPartition partition, Completion completion) {
    }

    /**
     * @param image  the current metadata image: where each partition's leader is
     * @param sender carries the requests; closed with this channel if it is {@link AutoCloseable}
     */
    public WriteTxnMarkersChannel(int nodeId, Supplier<MetadataImage> image, BrokerRequestSender sender,
                                  long retryBackoffMs) {
        this(nodeId, image, sender, null, retryBackoffMs);
    }

    /**
     * @param local writes the markers for partitions this broker ({@code nodeId}) leads; null: they go
     *              through {@code sender} too
     */
    public WriteTxnMarkersChannel(int nodeId, Supplier<MetadataImage> image, BrokerRequestSender sender,
                                  LocalMarkerWriter local, long retryBackoffMs) {
        this.nodeId = nodeId;
        this.image = image;
        this.sender = sender;
        this.local = local;
        this.retryBackoffMs = retryBackoffMs;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "strand-txn-markers-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        // Retries waiting for their backoff are dropped at close.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    @Override
    public void send(TransactionMarkers markers, Completion completion) {
        run(() -> {
            for (TopicPartition tp : markers.partitions()) {
                unassigned.add(new PendingMarker(markers, tp, completion));
            }
            dispatch();
        });
    }

    @Override
    public void cancel(int transactionStatePartition) {
        run(() -> {
            unassigned.removeIf(m -> m.markers().transactionStatePartition() == transactionStatePartition);
            queued.values().forEach(list ->
                    list.removeIf(m -> m.markers().transactionStatePartition() == transactionStatePartition));
        });
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: nothing more is sent.
        }
    }

    /** Gives each unassigned marker its leader and sends to every broker with nothing in flight. */
    private void dispatch() {
        if (closed) {
            return;
        }
        MetadataImage current = image.get();
        boolean leaderless = false;
        for (Iterator<PendingMarker> it = unassigned.iterator(); it.hasNext(); ) {
            PendingMarker marker = it.next();
            TopicPartition tp = marker.partition();
            Optional<PartitionRegistration> partition = current.topics().byName(tp.topic())
                    .flatMap(topic -> topic.partition(tp.partition()));
            if (partition.isEmpty()) {
                it.remove();
                marker.completion().onPartitionDone(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            } else if (!partition.get().hasLeader()) {
                leaderless = true;
            } else {
                it.remove();
                queued.computeIfAbsent(partition.get().leader(), id -> new ArrayList<>()).add(marker);
            }
        }
        for (Map.Entry<Integer, List<PendingMarker>> e : queued.entrySet()) {
            if (!e.getValue().isEmpty() && !inFlight.contains(e.getKey())) {
                List<PendingMarker> batch = new ArrayList<>(e.getValue());
                e.getValue().clear();
                sendTo(e.getKey(), batch);
            }
        }
        if (leaderless) {
            scheduleRetry(List.of());
        }
    }

    private void sendTo(int brokerId, List<PendingMarker> batch) {
        inFlight.add(brokerId);
        Map<TransactionMarkers, Set<TopicPartition>> byTransaction = new LinkedHashMap<>();
        for (PendingMarker marker : batch) {
            byTransaction.computeIfAbsent(marker.markers(), m -> new HashSet<>()).add(marker.partition());
        }
        CompletableFuture<ApiMessage> answer;
        try {
            if (brokerId == nodeId && local != null) {
                answer = local.write(request(byTransaction, LocalMarkerWriter.VERSION), thread)
                        .thenApply(ApiMessage.class::cast);
            } else {
                answer = sender.send(brokerId, ApiKeys.WRITE_TXN_MARKERS, MIN_VERSION,
                        version -> request(byTransaction, version));
            }
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> run(() -> onAnswer(brokerId, batch, response, failure)));
    }

    /** The WriteTxnMarkers request for {@code version}: one entry per transaction, partitions in order. */
    static WriteTxnMarkersRequestData request(Map<TransactionMarkers, Set<TopicPartition>> byTransaction,
                                              short version) {
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        for (Map.Entry<TransactionMarkers, Set<TopicPartition>> e : byTransaction.entrySet()) {
            TransactionMarkers markers = e.getKey();
            Map<String, List<Integer>> byTopic = new TreeMap<>();
            e.getValue().stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
            List<WritableTxnMarkerTopic> topics = new ArrayList<>();
            byTopic.forEach((topic, partitions) ->
                    topics.add(new WritableTxnMarkerTopic().setName(topic).setPartitionIndexes(partitions)));
            data.markers().add(new WritableTxnMarker().setProducerId(markers.producerId())
                    .setProducerEpoch(markers.producerEpoch()).setCoordinatorEpoch(markers.coordinatorEpoch())
                    .setTransactionResult(markers.result() == TransactionResult.COMMIT).setTopics(topics)
                    .setTransactionVersion(version >= FIRST_TRANSACTION_VERSION_VERSION
                            ? (byte) markers.transactionVersion() : 0));
        }
        return data;
    }

    private void onAnswer(int brokerId, List<PendingMarker> batch, ApiMessage response, Throwable failure) {
        inFlight.remove(brokerId);
        if (closed) {
            return;
        }
        List<PendingMarker> retry = new ArrayList<>();
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof UnsupportedVersionException) {
            LOG.warn("Broker {} takes no transaction markers: {}", brokerId, cause.getMessage());
            batch.forEach(m -> m.completion().onPartitionDone(m.partition(), Errors.UNSUPPORTED_VERSION));
        } else if (cause != null) {
            LOG.debug("WriteTxnMarkers to broker {} failed, retrying: {}", brokerId, cause.toString());
            retry.addAll(batch);
        } else {
            WriteTxnMarkersResponseData data = (WriteTxnMarkersResponseData) response;
            for (PendingMarker marker : batch) {
                Errors error = errorFor(data, marker);
                if (error.exception() instanceof RetriableException) {
                    retry.add(marker);
                } else {
                    marker.completion().onPartitionDone(marker.partition(), error);
                }
            }
        }
        if (!retry.isEmpty()) {
            scheduleRetry(retry);
        }
        dispatch();
    }

    /** The partition's error in {@code data}; UNKNOWN_SERVER_ERROR if the broker left it out. */
    private static Errors errorFor(WriteTxnMarkersResponseData data, PendingMarker marker) {
        for (WritableTxnMarkerResult result : data.markers()) {
            if (result.producerId() != marker.markers().producerId()) {
                continue;
            }
            for (WritableTxnMarkerTopicResult topic : result.topics()) {
                if (!topic.name().equals(marker.partition().topic())) {
                    continue;
                }
                for (WritableTxnMarkerPartitionResult partition : topic.partitions()) {
                    if (partition.partitionIndex() == marker.partition().partition()) {
                        return Errors.forCode(partition.errorCode());
                    }
                }
            }
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    /** After the backoff, {@code markers} look for their leader again (and leaderless ones are looked at). */
    private void scheduleRetry(List<PendingMarker> markers) {
        if (markers.isEmpty() && retryScheduled) {
            return;
        }
        if (markers.isEmpty()) {
            retryScheduled = true;
        }
        try {
            thread.schedule(() -> {
                if (markers.isEmpty()) {
                    retryScheduled = false;
                }
                unassigned.addAll(markers);
                dispatch();
            }, retryBackoffMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed.
        }
    }

    /** Drops what is not yet written, ends the thread and closes the sender's connections. Idempotent. */
    @Override
    public void close() {
        run(() -> {
            closed = true;
            unassigned.clear();
            queued.clear();
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (sender instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Closing the connections of the marker channel failed", e);
            }
        }
    }
}
