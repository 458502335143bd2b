package io.strand.broker.api.fetch;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TP;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.network.ConnectionScope;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.storage.log.LogAppendResult;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch with transactions in the log, as raw requests through the handler: what read_committed reads
 * (up to the last stable offset), the aborted transactions it is told of, the last stable offset every
 * fetch answers, and the long poll that a marker or a moving high watermark wakes.
 */
class ReadCommittedFetchTest {

    private static final int CONSUMER = -1;
    private static final short VERSION = 17;
    private static final long PRODUCER_A = 1_000L;
    private static final long PRODUCER_B = 2_000L;
    private static final short EPOCH = 0;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private FetchHandler handler;
    private FetchPurgatory purgatory;
    /** The connection the fetches come on. */
    private final ConnectionScope connection = new ConnectionScope();
    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();
    private final int[] sequences = new int[3];

    @AfterEach
    void tearDown() throws Exception {
        eventLoop.shutdownNow();
        assertThat(eventLoop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    private void start(List<Integer> replicas) {
        cluster = new ReplicatedPartitionFixture(dir, replicas, replicas, 1);
        purgatory = new FetchPurgatory();
        cluster.replicaManager.setAppendListener(purgatory::onAppend);
        handler = new FetchHandler(cluster.replicaManager, cluster::image,
                new FetchSessionCache(10, 60_000, cluster.time, new Random(1)), purgatory);
    }

    /** Appends a transactional batch of {@code producerId} with {@code count} records; returns its first offset. */
    private long transactional(long producerId, int count) {
        return transactional(producerId, count, System.currentTimeMillis());
    }

    private long transactional(long producerId, int count, long timestampMs) {
        int slot = (int) (producerId / 1_000L);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestampMs, null,
                    ("txn-" + producerId + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        LogAppendResult result = cluster.partition().appendAsLeader(MemoryRecords.withTransactionalRecords(
                Compression.NONE, producerId, EPOCH, sequences[slot], records), (short) -1, 1);
        sequences[slot] += count;
        cluster.replicaManager.notifyAppended(TP);
        return result.firstOffset();
    }

    /** Appends a plain batch of {@code count} records. */
    private void plain(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        cluster.partition().appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), (short) 1, 1);
        cluster.replicaManager.notifyAppended(TP);
    }

    private long marker(long producerId, boolean commit) {
        long offset = cluster.partition().appendMarkerAsLeader(producerId, EPOCH, 0, commit, (short) 0).firstOffset();
        cluster.replicaManager.notifyAppended(TP);
        return offset;
    }

    private CompletableFuture<FetchResponseData> fetch(IsolationLevel isolation, long fetchOffset, int maxBytes,
                                                       int maxWaitMs) {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(1 << 20)
                .setIsolationLevel(isolation.id()).setSessionId(0).setSessionEpoch(-1).setReplicaId(CONSUMER);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(TOPIC_ID);
        topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(fetchOffset)
                .setPartitionMaxBytes(maxBytes));
        data.topics().add(topic);
        FetchRequest request = new FetchRequest(data, VERSION);
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.FETCH, VERSION, "consumer", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", SecurityProtocol.PLAINTEXT,
                KafkaPrincipal.ANONYMOUS, 0L, eventLoop, connection);
        return handler.handle(context, request);
    }

    /** The partition's answer (its records are slices of the segment files, as the response writer sends them). */
    private static FetchResponseData.PartitionData read(CompletableFuture<FetchResponseData> response) {
        return response.join().responses().get(0).partitions().get(0);
    }

    private static List<Long> batchBaseOffsets(FetchResponseData.PartitionData data) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : ((Records) data.records()).batches()) {
            offsets.add(batch.baseOffset());
        }
        return offsets;
    }

    @Test
    void readCommittedStopsAtTheFirstOpenTransactionAndEveryFetchAnswersTheLastStableOffset() {
        start(List.of(1));
        plain(2);
        long open = transactional(PRODUCER_A, 3);

        FetchResponseData.PartitionData committed = read(fetch(IsolationLevel.READ_COMMITTED, 0, 1 << 20, 0));
        FetchResponseData.PartitionData uncommitted = read(fetch(IsolationLevel.READ_UNCOMMITTED, 0, 1 << 20, 0));

        assertThat(open).isEqualTo(2);
        assertThat(committed.highWatermark()).isEqualTo(5);
        assertThat(committed.lastStableOffset()).isEqualTo(2);
        assertThat(batchBaseOffsets(committed)).containsExactly(0L);
        assertThat(committed.abortedTransactions()).isEmpty();
        assertThat(uncommitted.lastStableOffset()).isEqualTo(2);
        assertThat(batchBaseOffsets(uncommitted)).containsExactly(0L, 2L);
        assertThat(uncommitted.abortedTransactions()).as("absent for read_uncommitted, as in Kafka").isNull();

        FetchResponseData.PartitionData atTheBound = read(fetch(IsolationLevel.READ_COMMITTED, 2, 1 << 20, 0));
        assertThat(atTheBound.records().sizeInBytes()).isZero();
        assertThat(atTheBound.abortedTransactions()).isEmpty();
    }

    @Test
    void anAbortedTransactionIsNamedWithTheRecordsThatOverlapIt() {
        start(List.of(1));
        long aborted = transactional(PRODUCER_A, 2);
        long committedTxn = transactional(PRODUCER_B, 2);
        transactional(PRODUCER_A, 1);
        long abortMarker = marker(PRODUCER_A, false);
        marker(PRODUCER_B, true);
        plain(1);
        long end = cluster.partition().log().logEndOffset();

        FetchResponseData.PartitionData all = read(fetch(IsolationLevel.READ_COMMITTED, 0, 1 << 20, 0));
        assertThat(all.lastStableOffset()).isEqualTo(end);
        assertThat(all.abortedTransactions()).singleElement().satisfies(txn -> {
            assertThat(txn.producerId()).isEqualTo(PRODUCER_A);
            assertThat(txn.firstOffset()).isEqualTo(aborted);
        });
        assertThat(committedTxn).isEqualTo(2);

        FetchResponseData.PartitionData fromInside = read(fetch(IsolationLevel.READ_COMMITTED, 3, 1 << 20, 0));
        assertThat(fromInside.abortedTransactions()).extracting(FetchResponseData.AbortedTransaction::producerId)
                .containsExactly(PRODUCER_A);

        FetchResponseData.PartitionData afterTheAbort = read(fetch(IsolationLevel.READ_COMMITTED, abortMarker + 1,
                1 << 20, 0));
        assertThat(afterTheAbort.records().sizeInBytes()).isPositive();
        assertThat(afterTheAbort.abortedTransactions()).isEmpty();
    }

    @Test
    void onlyTheAbortedTransactionsOfTheReturnedBatchesAreNamed() {
        start(List.of(1));
        long first = transactional(PRODUCER_A, 1);
        marker(PRODUCER_A, false);
        long second = transactional(PRODUCER_B, 1);
        marker(PRODUCER_B, false);

        // A tiny limit returns the first batch only (at least one batch is always returned).
        FetchResponseData.PartitionData one = read(fetch(IsolationLevel.READ_COMMITTED, 0, 1, 0));
        FetchResponseData.PartitionData everything = read(fetch(IsolationLevel.READ_COMMITTED, 0, 1 << 20, 0));

        assertThat(batchBaseOffsets(one)).containsExactly(first);
        assertThat(one.abortedTransactions()).extracting(FetchResponseData.AbortedTransaction::firstOffset)
                .containsExactly(first);
        assertThat(everything.abortedTransactions()).extracting(FetchResponseData.AbortedTransaction::firstOffset)
                .containsExactly(first, second);
    }

    @Test
    void aTransactionAbortedInALaterSegmentIsNamedWithItsDataInAnEarlierOne() {
        start(List.of(1));
        // Data stamped 30 days ago: the marker, stamped now, rolls a new segment (segment.ms is 7 days).
        long aborted = transactional(PRODUCER_A, 2, System.currentTimeMillis() - TimeUnit.DAYS.toMillis(30));
        long abortMarker = marker(PRODUCER_A, false);
        assertThat(cluster.partition().log().segmentBaseOffsets()).containsExactly(0L, abortMarker);

        FetchResponseData.PartitionData firstSegment = read(fetch(IsolationLevel.READ_COMMITTED, 0, 1 << 20, 0));
        FetchResponseData.PartitionData secondSegment = read(fetch(IsolationLevel.READ_COMMITTED, abortMarker,
                1 << 20, 0));

        assertThat(batchBaseOffsets(firstSegment)).containsExactly(aborted);
        assertThat(firstSegment.abortedTransactions()).extracting(FetchResponseData.AbortedTransaction::firstOffset)
                .containsExactly(aborted);
        assertThat(batchBaseOffsets(secondSegment)).containsExactly(abortMarker);
        assertThat(secondSegment.abortedTransactions()).extracting(FetchResponseData.AbortedTransaction::producerId)
                .as("its marker is returned").containsExactly(PRODUCER_A);
    }

    @Test
    void aLongPollEndsWhenItsConnectionClosesWhateverWaitItAskedFor() throws Exception {
        start(List.of(1));
        plain(1);
        CompletableFuture<FetchResponseData> waiting = fetch(IsolationLevel.READ_UNCOMMITTED, 1, 1 << 20,
                Integer.MAX_VALUE);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS); // the long poll started and found nothing
        assertThat(waiting).isNotDone();
        assertThat(purgatory.watchedPartitions()).isEqualTo(1);
        assertThat(connection.registered()).isEqualTo(1);

        connection.close();

        waiting.get(10, TimeUnit.SECONDS);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(read(waiting).records()).satisfiesAnyOf(
                records -> assertThat(records).isNull(), records -> assertThat(records.sizeInBytes()).isZero());
        assertThat(purgatory.watchedPartitions()).isZero();
        assertThat(connection.registered()).isZero();
    }

    @Test
    void aFetchAnsweredBeforeItsConnectionClosesLeavesNothingRegistered() throws Exception {
        start(List.of(1));
        CompletableFuture<FetchResponseData> waiting = fetch(IsolationLevel.READ_UNCOMMITTED, 0, 1 << 20, 30_000);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(connection.registered()).isEqualTo(1);
        plain(1);
        waiting.get(10, TimeUnit.SECONDS);
        // The answer's callbacks ran on the event loop right after completing it; a later task follows them.
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(connection.registered()).isZero();
        assertThat(purgatory.watchedPartitions()).isZero();
    }

    @Test
    void aWaitingReadCommittedFetchWakesWhenTheMarkerMovesTheLastStableOffset() throws Exception {
        start(List.of(1));
        long open = transactional(PRODUCER_A, 2);
        CompletableFuture<FetchResponseData> waiting = fetch(IsolationLevel.READ_COMMITTED, open, 1 << 20, 30_000);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS); // the long poll started and found nothing
        assertThat(waiting).isNotDone();

        marker(PRODUCER_A, true);

        FetchResponseData.PartitionData data = waiting.get(10, TimeUnit.SECONDS).responses().get(0).partitions().get(0);
        assertThat(data.lastStableOffset()).isEqualTo(3);
        assertThat(batchBaseOffsets(data)).containsExactly(0L, 2L);
        assertThat(data.abortedTransactions()).isEmpty();
    }

    @Test
    void aWaitingReadCommittedFetchWakesWhenFollowersMoveTheHighWatermarkPastTheMarker() throws Exception {
        start(List.of(1, 2));
        cluster.fetch(2, 0);
        transactional(PRODUCER_A, 2);
        long commit = marker(PRODUCER_A, true);
        CompletableFuture<FetchResponseData> waiting = fetch(IsolationLevel.READ_COMMITTED, 0, 1 << 20, 30_000);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(waiting).isNotDone();

        cluster.fetch(2, 2); // the data is replicated, the marker not yet: the transaction is still unstable
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(cluster.partition().highWatermark()).isEqualTo(2);
        assertThat(cluster.partition().lastStableOffset()).isZero();
        assertThat(waiting).isNotDone();

        cluster.fetch(2, commit + 1);
        FetchResponseData.PartitionData data = waiting.get(10, TimeUnit.SECONDS).responses().get(0).partitions().get(0);
        assertThat(data.lastStableOffset()).isEqualTo(commit + 1);
        assertThat(batchBaseOffsets(data)).containsExactly(0L, commit);
    }
}
