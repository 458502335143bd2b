package io.strand.broker.api.produce;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TP;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.broker.txn.CoordinatorMarkerWriter;
import io.strand.broker.txn.LocalMarkerWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.internals.AbortTransactionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.utils.LogContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WriteTxnMarkers on broker 1, leader of {@code events-0}: markers appended as leader and answered once
 * replicated, the per-partition errors as Kafka answers them, markers handed to a coordinator owning
 * the partition, and bad input that harms nothing.
 */
class WriteTxnMarkersHandlerTest {

    private static final long PRODUCER = 9_000L;
    private static final short EPOCH = 2;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private WriteTxnMarkersHandler handler;
    private final List<String> coordinatorCalls = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private void start(List<Integer> replicas, List<Integer> isr, int minInsyncReplicas, CoordinatorMarkerWriter writer) {
        cluster = new ReplicatedPartitionFixture(dir, replicas, isr, minInsyncReplicas);
        handler = new WriteTxnMarkersHandler(cluster.replicaManager, writer);
    }

    private void start(List<Integer> replicas) {
        start(replicas, replicas, 1, CoordinatorMarkerWriter.NONE);
    }

    private void openTransaction(long producerId, short epoch) {
        cluster.partition().appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, 0,
                new SimpleRecord(System.currentTimeMillis(), null, "v".getBytes(StandardCharsets.UTF_8))), (short) 1, 1);
    }

    private static WritableTxnMarker marker(long producerId, short epoch, boolean commit, int coordinatorEpoch,
                                            String topic, Integer... partitions) {
        WritableTxnMarker marker = new WritableTxnMarker().setProducerId(producerId).setProducerEpoch(epoch)
                .setTransactionResult(commit).setCoordinatorEpoch(coordinatorEpoch);
        if (topic != null) {
            marker.topics().add(new WritableTxnMarkerTopic().setName(topic).setPartitionIndexes(List.of(partitions)));
        }
        return marker;
    }

    private CompletableFuture<WriteTxnMarkersResponseData> write(short version, WritableTxnMarker... markers) {
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(
                new WriteTxnMarkersRequestData().setMarkers(new ArrayList<>(List.of(markers)))).build(version);
        return handler.handle(Requests.context(request), request);
    }

    /** Producer id → "topic-partition" → error, as read off the wire at {@code version}. */
    private static Map<Long, Map<String, Errors>> errors(WriteTxnMarkersResponseData response, short version) {
        WriteTxnMarkersResponseData read = Requests.overWire(ApiKeys.WRITE_TXN_MARKERS, response, version);
        Map<Long, Map<String, Errors>> out = new TreeMap<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult marker : read.markers()) {
            Map<String, Errors> partitions = out.computeIfAbsent(marker.producerId(), k -> new TreeMap<>());
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topic : marker.topics()) {
                for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult partition : topic.partitions()) {
                    partitions.put(topic.name() + "-" + partition.partitionIndex(),
                            Errors.forCode(partition.errorCode()));
                }
            }
        }
        return out;
    }

    /** The control batch at {@code offset}: its producer and marker. */
    private EndTransactionMarker markerAt(long offset, long producerId) {
        Records records = cluster.partition().log().read(offset, 1 << 20, offset + 1, true).records();
        RecordBatch batch = records.batches().iterator().next();
        assertThat(batch.isControlBatch()).isTrue();
        assertThat(batch.producerId()).isEqualTo(producerId);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(cluster.partition().leaderEpoch());
        Record record = batch.iterator().next();
        return EndTransactionMarker.deserialize(record);
    }

    @Test
    void aCommitMarkerIsWrittenAsLeaderAndEndsTheTransaction() {
        start(List.of(1));
        openTransaction(PRODUCER, EPOCH);
        assertThat(cluster.partition().lastStableOffset()).isZero();

        Map<Long, Map<String, Errors>> answer = errors(write((short) 1,
                marker(PRODUCER, EPOCH, true, 4, TOPIC, 0)).join(), (short) 1);

        assertThat(answer).isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NONE)));
        assertThat(cluster.partition().log().logEndOffset()).isEqualTo(2);
        assertThat(cluster.partition().lastStableOffset()).isEqualTo(2);
        EndTransactionMarker written = markerAt(1, PRODUCER);
        assertThat(written.controlType()).isEqualTo(ControlRecordType.COMMIT);
        assertThat(written.coordinatorEpoch()).isEqualTo(4);
    }

    @Test
    void theAdminClientsAbortEndsATransactionWhoseProducerNeverHadAMarker() {
        start(List.of(1));
        openTransaction(PRODUCER, EPOCH);
        // what kafka-transactions abort --start-offset 0 sends: DescribeProducers reported no coordinator
        // epoch (-1), which the tool turns into 0; the admin client sets no transaction version
        WriteTxnMarkersRequest.Builder adminRequest = new AbortTransactionHandler(
                new AbortTransactionSpec(TP, PRODUCER, EPOCH, 0), new LogContext())
                .buildBatchedRequest(1, Set.of(TP));
        for (short version = WriteTxnMarkersHandler.MIN_VERSION; version <= WriteTxnMarkersHandler.MAX_VERSION;
                version++) {
            assertThat(adminRequest.build(version).data().markers()).singleElement()
                    .satisfies(m -> assertThat(m.transactionVersion()).isZero());
        }
        WriteTxnMarkersRequest request = adminRequest.build(WriteTxnMarkersHandler.MAX_VERSION);

        WriteTxnMarkersResponseData answer = handler.handle(Requests.context(request), request).join();

        assertThat(errors(answer, WriteTxnMarkersHandler.MAX_VERSION))
                .isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NONE)));
        assertThat(markerAt(1, PRODUCER).controlType()).isEqualTo(ControlRecordType.ABORT);
        assertThat(cluster.partition().lastStableOffset()).isEqualTo(2);
        assertThat(cluster.partition().log().activeProducers()).singleElement()
                .satisfies(p -> assertThat(p.currentTxnFirstOffset()).isEqualTo(-1L));
    }

    @Test
    void aMarkerIsAnsweredOnlyOnceTheIsrHasIt() throws Exception {
        start(List.of(1, 2));
        cluster.fetch(2, 0);
        openTransaction(PRODUCER, EPOCH);

        CompletableFuture<WriteTxnMarkersResponseData> pending = write((short) 2,
                marker(PRODUCER, EPOCH, false, 0, TOPIC, 0));
        assertThat(pending).isNotDone();
        assertThat(cluster.partition().log().logEndOffset()).isEqualTo(2);
        assertThat(markerAt(1, PRODUCER).controlType()).isEqualTo(ControlRecordType.ABORT);

        cluster.fetch(2, 1);
        assertThat(pending).isNotDone();
        cluster.fetch(2, 2);

        assertThat(errors(pending.get(10, TimeUnit.SECONDS), (short) 2))
                .isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NONE)));
        assertThat(cluster.partition().log().collectAbortedTransactions(0, 2)).hasSize(1);
    }

    @Test
    void theLocalWriterWritesAsTheHandlerAndAnswersOnceTheIsrHasIt() throws Exception {
        start(List.of(1, 2));
        cluster.fetch(2, 0);
        openTransaction(PRODUCER, EPOCH);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            WritableTxnMarker commit = marker(PRODUCER, EPOCH, true, 3, TOPIC, 0);
            CompletableFuture<WriteTxnMarkersResponseData> pending = handler.localWriter().write(
                    new WriteTxnMarkersRequestData().setMarkers(new ArrayList<>(List.of(commit,
                            marker(PRODUCER, EPOCH, true, 3, "unknown", 0)))), timer);

            assertThat(markerAt(1, PRODUCER).controlType()).as("appended on the caller's thread")
                    .isEqualTo(ControlRecordType.COMMIT);
            assertThat(pending).isNotDone();
            cluster.fetch(2, 2);

            assertThat(errors(pending.get(10, TimeUnit.SECONDS), LocalMarkerWriter.VERSION)).isEqualTo(
                    Map.of(PRODUCER, Map.of("events-0", Errors.NONE, "unknown-0", Errors.UNKNOWN_TOPIC_OR_PARTITION)));
            assertThat(cluster.partition().lastStableOffset()).isEqualTo(2);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aMarkerForAPartitionLedElsewhereIsNotLeaderOrFollower() {
        start(List.of(1, 2));
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);

        assertThat(errors(write((short) 1, marker(PRODUCER, EPOCH, true, 0, TOPIC, 0)).join(), (short) 1))
                .isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NOT_LEADER_OR_FOLLOWER)));
        assertThat(cluster.partition().log().logEndOffset()).isZero();
    }

    @Test
    void anIsrBelowMinInsyncReplicasRefusesTheMarkerWithoutWritingIt() {
        start(List.of(1, 2), List.of(1), 2, CoordinatorMarkerWriter.NONE);

        assertThat(errors(write((short) 1, marker(PRODUCER, EPOCH, true, 0, TOPIC, 0)).join(), (short) 1))
                .isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NOT_ENOUGH_REPLICAS)));
        assertThat(cluster.partition().log().logEndOffset()).isZero();
    }

    @Test
    void anOlderProducerEpochOrCoordinatorEpochIsRefusedAsKafkaDoes() {
        start(List.of(1));
        openTransaction(PRODUCER, EPOCH);
        assertThat(errors(write((short) 1, marker(PRODUCER, EPOCH, true, 5, TOPIC, 0)).join(), (short) 1)
                .get(PRODUCER)).containsEntry("events-0", Errors.NONE);

        Map<Long, Map<String, Errors>> olderEpoch = errors(write((short) 1,
                marker(PRODUCER, (short) (EPOCH - 1), false, 5, TOPIC, 0)).join(), (short) 1);
        Map<Long, Map<String, Errors>> olderCoordinator = errors(write((short) 1,
                marker(PRODUCER, EPOCH, false, 4, TOPIC, 0)).join(), (short) 1);

        assertThat(olderEpoch.get(PRODUCER)).containsEntry("events-0", Errors.INVALID_PRODUCER_EPOCH);
        assertThat(olderCoordinator.get(PRODUCER)).containsEntry("events-0", Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(cluster.partition().log().logEndOffset()).isEqualTo(2);
    }

    @Test
    void transactionVersionTwoMarkersMustBumpTheEpoch() {
        start(List.of(1));
        openTransaction(PRODUCER, EPOCH);
        WritableTxnMarker sameEpoch = marker(PRODUCER, EPOCH, true, 0, TOPIC, 0).setTransactionVersion((byte) 2);
        WritableTxnMarker bumped = marker(PRODUCER, (short) (EPOCH + 1), true, 0, TOPIC, 0)
                .setTransactionVersion((byte) 2);

        assertThat(errors(write((short) 2, sameEpoch).join(), (short) 2).get(PRODUCER))
                .containsEntry("events-0", Errors.INVALID_PRODUCER_EPOCH);
        assertThat(errors(write((short) 2, bumped).join(), (short) 2).get(PRODUCER))
                .containsEntry("events-0", Errors.NONE);
        // v1 carries no transaction version: the same-epoch marker is a legacy one, accepted.
        openTransaction(PRODUCER, (short) (EPOCH + 1));
        assertThat(errors(write((short) 1, marker(PRODUCER, (short) (EPOCH + 1), true, 0, TOPIC, 0)).join(),
                (short) 1).get(PRODUCER)).containsEntry("events-0", Errors.NONE);
    }

    @Test
    void aMarkerTheLogCannotWriteIsKafkaStorageError() throws Exception {
        start(List.of(1));
        // Data 30 days old: the marker, stamped now, rolls a segment at offset 1, whose file cannot be made.
        cluster.partition().appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, PRODUCER, EPOCH, 0,
                new SimpleRecord(System.currentTimeMillis() - TimeUnit.DAYS.toMillis(30), null,
                        "v".getBytes(StandardCharsets.UTF_8))), (short) 1, 1);
        Files.createDirectories(dir.resolve("events-0").resolve("00000000000000000001.log").resolve("in-the-way"));

        assertThat(errors(write((short) 1, marker(PRODUCER, EPOCH, true, 0, TOPIC, 0)).join(), (short) 1))
                .isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.KAFKA_STORAGE_ERROR)));
        assertThat(cluster.logManager.logDirFailureChannel().offlineLogDirs()).containsExactly(dir);
    }

    @Test
    void markersAreAnsweredPerProducerWithEachPartitionsError() {
        start(List.of(1));
        WriteTxnMarkersResponseData response = write((short) 1,
                marker(PRODUCER, EPOCH, true, 0, TOPIC, 0, 3),
                marker(PRODUCER, EPOCH, true, 0, "missing", 0),
                marker(PRODUCER + 1, (short) 0, false, 0, TOPIC, 0, 0),
                marker(PRODUCER + 2, (short) 0, false, 0, null)).join();

        assertThat(errors(response, (short) 1)).isEqualTo(Map.of(
                PRODUCER, Map.of("events-0", Errors.NONE, "events-3", Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        "missing-0", Errors.UNKNOWN_TOPIC_OR_PARTITION),
                PRODUCER + 1, Map.of("events-0", Errors.NONE)));
        assertThat(cluster.partition().log().logEndOffset()).as("one marker per producer and partition").isEqualTo(2);
    }

    @Test
    void badInputGetsClearErrorsAndWritesNothing() {
        start(List.of(1));

        assertThat(write((short) 1).join().markers()).isEmpty();
        Map<Long, Map<String, Errors>> negative = errors(write((short) 1,
                marker(-1L, EPOCH, true, 0, TOPIC, 0),
                marker(PRODUCER, (short) -1, true, 0, TOPIC, 0, -1)).join(), (short) 1);

        assertThat(negative).isEqualTo(Map.of(
                -1L, Map.of("events-0", Errors.INVALID_REQUEST),
                PRODUCER, Map.of("events-0", Errors.INVALID_REQUEST, "events--1", Errors.UNKNOWN_TOPIC_OR_PARTITION)));
        assertThat(cluster.partition().log().logEndOffset()).isZero();
    }

    @Test
    void aPartitionACoordinatorOwnsGetsItsMarkerThroughTheCoordinator() {
        TopicPartition owned = TP;
        start(List.of(1), List.of(1), 1, new CoordinatorMarkerWriter() {
            @Override
            public boolean owns(TopicPartition partition) {
                return partition.equals(owned);
            }

            @Override
            public CompletableFuture<Errors> writeMarker(TopicPartition partition, long producerId, short producerEpoch,
                                                         int coordinatorEpoch, boolean commit) {
                coordinatorCalls.add(partition + "/" + producerId + "/" + producerEpoch + "/" + coordinatorEpoch + "/"
                        + commit);
                return CompletableFuture.completedFuture(producerId == PRODUCER ? Errors.NONE : Errors.NOT_COORDINATOR);
            }
        });

        Map<Long, Map<String, Errors>> answer = errors(write((short) 1,
                marker(PRODUCER, EPOCH, true, 7, TOPIC, 0),
                marker(PRODUCER + 1, EPOCH, false, 7, TOPIC, 0)).join(), (short) 1);

        assertThat(answer).isEqualTo(Map.of(PRODUCER, Map.of("events-0", Errors.NONE),
                PRODUCER + 1, Map.of("events-0", Errors.NOT_LEADER_OR_FOLLOWER)));
        assertThat(coordinatorCalls).containsExactly(TP + "/" + PRODUCER + "/" + EPOCH + "/7/true",
                TP + "/" + (PRODUCER + 1) + "/" + EPOCH + "/7/false");
        assertThat(cluster.partition().log().logEndOffset()).isZero();
    }
}
