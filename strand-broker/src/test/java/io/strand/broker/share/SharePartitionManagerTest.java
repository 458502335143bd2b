package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Share-partitions over a real partition log: where a group starts, what a read acquires, leadership. */
class SharePartitionManagerTest {

    private static final TopicIdPartition TIP = new TopicIdPartition(ReplicatedPartitionFixture.TOPIC_ID,
            ReplicatedPartitionFixture.TP);

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private final List<TopicPartition> woken = new ArrayList<>();
    private SharePartitionManager manager;

    /** The group's configs (the GROUP config resource), as the metadata image would hold them. */
    private final Map<String, String> groupConfigs = new HashMap<>();
    private final InMemorySharePersister persister = new InMemorySharePersister();

    private void start() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        manager = newManager();
    }

    private SharePartitionManager newManager() {
        return new SharePartitionManager(ShareGroupConfig.from(Map.of()), cluster.time, woken::add, persister,
                groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aGroupStartsAtTheHighWatermarkAndAcquiresWhatIsAppendedAfter() {
        start();
        cluster.append(3);

        assertThat(fetch("m1").acquired()).as("latest: nothing before the first fetch").isEmpty();
        cluster.append(2);

        SharePartitionManager.Acquired acquired = fetch("m1");
        assertThat(acquired.acquired()).containsExactly(new AcquiredRecords().setFirstOffset(3).setLastOffset(4)
                .setDeliveryCount((short) 1));
        assertThat(acquired.records().sizeInBytes()).isPositive();
        assertThat(fetch("m2").acquired()).as("all acquired by m1").isEmpty();
    }

    @Test
    void latestIsResolvedAtTheFetchThatLoadsTheSharePartitionNotWhenItsStateHasBeenRead() {
        start();
        cluster.append(3);
        CompletableFuture<Void> readDone = new CompletableFuture<>();
        manager = new SharePartitionManager(ShareGroupConfig.from(Map.of()), cluster.time, woken::add,
                new SharePersister() {
                    @Override
                    public CompletableFuture<PersistedState> read(String groupId, TopicIdPartition tip, int leaderEpoch) {
                        return readDone.thenCompose(v -> persister.read(groupId, tip, leaderEpoch));
                    }

                    @Override
                    public CompletableFuture<Void> initialize(String groupId, TopicIdPartition tip, int stateEpoch,
                                                              long startOffset) {
                        return persister.initialize(groupId, tip, stateEpoch, startOffset);
                    }

                    @Override
                    public CompletableFuture<Errors> write(String groupId, TopicIdPartition tip, int stateEpoch,
                                                           int leaderEpoch, long startOffset, int deliveryCompleteCount,
                                                           List<io.strand.coordinator.share.StateBatch> batches) {
                        return persister.write(groupId, tip, stateEpoch, leaderEpoch, startOffset,
                                deliveryCompleteCount, batches);
                    }

                    @Override
                    public CompletableFuture<StateSummary> readSummary(String groupId, TopicIdPartition tip) {
                        return persister.readSummary(groupId, tip);
                    }

                    @Override
                    public CompletableFuture<Errors> delete(String groupId, TopicIdPartition tip) {
                        return persister.delete(groupId, tip);
                    }
                }, groupId -> Map.of());

        assertThat(fetch("m1").acquired()).as("loading").isEmpty();
        cluster.append(2); // while the state is still being read
        readDone.complete(null);

        assertThat(fetch("m1").acquired()).as("latest as of the first fetch: 3")
                .containsExactly(new AcquiredRecords().setFirstOffset(3).setLastOffset(4).setDeliveryCount((short) 1));
    }

    @Test
    void aReleaseWakesWaitingFetchesAndTheRecordsGoToTheNextFetcher() {
        start();
        fetch("m1");
        assertThat(woken).as("the share-partition loaded").containsExactly(ReplicatedPartitionFixture.TP);
        woken.clear();
        cluster.append(2);
        fetch("m1");
        int epoch = cluster.partition().leaderEpoch();

        assertThat(manager.acknowledgeAndWake("g", "m1", TIP, epoch, List.of(new SharePartition.Acknowledgement(0, 1,
                List.of(SharePartition.RELEASE)))).join()).isEqualTo(Errors.NONE);

        assertThat(woken).containsExactly(ReplicatedPartitionFixture.TP);
        assertThat(fetch("m2").acquired()).containsExactly(new AcquiredRecords().setFirstOffset(0).setLastOffset(1)
                .setDeliveryCount((short) 2));
    }

    @Test
    void aNewLeadershipLoadsThePersistedStateAndRefusesAcknowledgementsOfTheOldOne() {
        start();
        fetch("m1");
        cluster.append(2);
        assertThat(fetch("m1").acquired()).hasSize(1);
        int oldEpoch = cluster.partition().leaderEpoch();

        cluster.publishPartition(List.of(1), List.of(1), 1, oldEpoch + 1, 1);
        int newEpoch = cluster.partition().leaderEpoch();
        assertThat(newEpoch).isEqualTo(oldEpoch + 1);

        List<SharePartition.Acknowledgement> accept = List.of(new SharePartition.Acknowledgement(0, 1,
                List.of(SharePartition.ACCEPT)));
        assertThat(manager.acknowledge("g", "m1", TIP, newEpoch, accept).join()).isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(fetch("m1").acquired()).as("acquired before, never acknowledged: delivered again")
                .containsExactly(new AcquiredRecords().setFirstOffset(0).setLastOffset(1).setDeliveryCount((short) 1));
        assertThat(manager.sharePartition("g", TIP).startOffset()).isZero();
    }

    @Test
    void aRestartedBrokerRedeliversExactlyWhatWasNotAcknowledgedWithItsDeliveryCount() {
        start();
        fetch("m1");
        cluster.append(5);
        assertThat(fetch("m1").acquired()).hasSize(1);
        int epoch = cluster.partition().leaderEpoch();
        assertThat(manager.acknowledge("g", "m1", TIP, epoch, List.of(
                new SharePartition.Acknowledgement(0, 1, List.of(SharePartition.ACCEPT)),
                new SharePartition.Acknowledgement(2, 2, List.of(SharePartition.RELEASE)))).join())
                .isEqualTo(Errors.NONE);
        assertThat(persister.state("g", TIP).startOffset()).as("written as it was before, as Kafka does").isZero();

        manager = newManager(); // what a restart keeps is what was persisted

        assertThat(fetch("m2").acquired()).containsExactly(
                new AcquiredRecords().setFirstOffset(2).setLastOffset(2).setDeliveryCount((short) 2),
                new AcquiredRecords().setFirstOffset(3).setLastOffset(4).setDeliveryCount((short) 1));
    }

    @Test
    void theLastSessionOfAGroupClosingUnloadsItsSharePartitionsSoAnAlteredStartOffsetTakesEffect() {
        start();
        fetch("m1");
        cluster.append(5);
        assertThat(fetch("m1").acquired()).hasSize(1);

        manager.releaseClosed("g", "m1", List.of(TIP), () -> true).join();
        assertThat(manager.sharePartition("g", TIP)).as("another session of the group is open: kept").isNotNull();
        manager.releaseClosed("g", "m1", List.of(TIP), () -> false).join();
        assertThat(manager.sharePartition("g", TIP)).as("the group's last session closed: unloaded").isNull();

        persister.initialize("g", TIP, 1, 3).join(); // what AlterShareGroupOffsets writes
        assertThat(fetch("m2").acquired()).as("loaded again from the altered state").containsExactly(
                new AcquiredRecords().setFirstOffset(3).setLastOffset(4).setDeliveryCount((short) 1));
    }

    @Test
    void aFetchAnswersOnlyTheBatchesUpToItsLastAcquiredRecord() {
        groupConfigs.put("share.auto.offset.reset", "earliest");
        start();
        for (int i = 0; i < 5; i++) {
            cluster.append(1);
        }

        SharePartitionManager.Acquired acquired = manager.fetch("g", "m1", TIP, cluster.partition(), 1 << 20, 2);

        assertThat(acquired.acquired()).containsExactly(new AcquiredRecords().setFirstOffset(0).setLastOffset(1)
                .setDeliveryCount((short) 1));
        List<Long> batchEnds = new ArrayList<>();
        acquired.records().batches().forEach(batch -> batchEnds.add(batch.lastOffset()));
        assertThat(batchEnds).containsExactly(0L, 1L);
    }

    @Test
    void earliestStartsAtTheLogStartOffset() {
        groupConfigs.put("share.auto.offset.reset", "earliest");
        start();
        cluster.append(3);

        assertThat(fetch("m1").acquired()).containsExactly(new AcquiredRecords().setFirstOffset(0).setLastOffset(2)
                .setDeliveryCount((short) 1));
    }

    @Test
    void byDurationStartsAtTheFirstRecordNoOlderThanTheDuration() {
        groupConfigs.put("share.auto.offset.reset", "by_duration:PT10S");
        start();
        cluster.append(2); // at t=0: older than 10 s by the first fetch
        cluster.time.sleep(15_000);
        cluster.append(3); // at t=15 s: offsets 2..4

        assertThat(manager.startOffset("g", cluster.partition())).isEqualTo(2);
        assertThat(fetch("m1").acquired()).containsExactly(new AcquiredRecords().setFirstOffset(2).setLastOffset(4)
                .setDeliveryCount((short) 1));
    }

    @Test
    void byDurationWithNoRecordThatRecentStartsAtTheHighWatermark() {
        groupConfigs.put("share.auto.offset.reset", "by_duration:PT1S");
        start();
        cluster.append(2);
        cluster.time.sleep(5_000);

        assertThat(manager.startOffset("g", cluster.partition())).isEqualTo(2);
    }

    @Test
    void theGroupsLockDurationAndDeliveryLimitApplyFromTheNextOperation() {
        start();
        fetch("m1");
        cluster.append(1);
        assertThat(manager.recordLockDurationMs("g")).isEqualTo(30_000);
        groupConfigs.put("share.record.lock.duration.ms", "20000");
        groupConfigs.put("share.delivery.count.limit", "2");
        assertThat(manager.recordLockDurationMs("g")).isEqualTo(20_000);
        assertThat(manager.recordLockDurationMs("other")).as("another group keeps the broker's").isEqualTo(30_000);

        assertThat(fetch("m1").acquired()).hasSize(1);
        cluster.time.sleep(20_000);
        assertThat(fetch("m2").acquired()).as("the lock expired after the group's 20 s").containsExactly(
                new AcquiredRecords().setFirstOffset(0).setLastOffset(0).setDeliveryCount((short) 2));
        cluster.time.sleep(20_000);
        assertThat(fetch("m3").acquired()).as("archived after the group's limit of 2 deliveries").isEmpty();
        assertThat(manager.sharePartition("g", TIP).startOffset()).isEqualTo(1);
    }

    @Test
    void aGroupValueOutsideTheBrokersBoundsIsKeptWithinThem() {
        groupConfigs.put("share.record.lock.duration.ms", "3600000");
        start();

        assertThat(manager.recordLockDurationMs("g")).as("group.share.max.record.lock.duration.ms").isEqualTo(60_000);
    }

    @Test
    void readCommittedWaitsForTheTransactionAndNeverDeliversAnAbortedOne() {
        groupConfigs.put("share.isolation.level", "read_committed");
        groupConfigs.put("share.auto.offset.reset", "earliest");
        start();
        appendTransactional(7L, 3);                 // offsets 0-2, open

        assertThat(fetch("m1").acquired()).as("nothing below the last stable offset, 0").isEmpty();

        abortOrCommit(7L, false);                   // 3: ABORT marker
        appendTransactional(8L, 2);                 // 4-5
        abortOrCommit(8L, true);                    // 6: COMMIT marker
        cluster.append(2);                          // 7-8

        assertThat(acquireAll("m1")).as("the aborted batch archived, the markers left to the client as gaps")
                .containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        SharePartition share = manager.sharePartition("g", TIP);
        assertThat(share.startOffset()).as("the aborted records are done").isEqualTo(3);
        assertThat(share.deliveryCount(4)).isEqualTo(1);
    }

    @Test
    void readCommittedStopsAtAnOpenTransactionOfAnotherProducer() {
        groupConfigs.put("share.isolation.level", "read_committed");
        groupConfigs.put("share.auto.offset.reset", "earliest");
        start();
        cluster.append(2);                          // 0-1
        appendTransactional(9L, 2);                 // 2-3, open
        cluster.append(1);                          // 4

        assertThat(acquireAll("m1")).containsExactly(0L, 1L);
        abortOrCommit(9L, true);                    // 5
        assertThat(acquireAll("m1")).as("committed: delivered with what followed").containsExactly(2L, 3L, 4L, 5L);
    }

    @Test
    void readUncommittedDeliversOpenAndAbortedTransactions() {
        groupConfigs.put("share.auto.offset.reset", "earliest");
        start();
        appendTransactional(7L, 2);                 // 0-1
        abortOrCommit(7L, false);                   // 2
        appendTransactional(8L, 1);                 // 3, open

        assertThat(acquireAll("m1")).containsExactly(0L, 1L, 2L, 3L);
    }

    /** Every offset {@code memberId} acquires by fetching until a fetch acquires nothing. */
    private List<Long> acquireAll(String memberId) {
        List<Long> offsets = new ArrayList<>();
        for (List<AcquiredRecords> acquired = fetch(memberId).acquired(); !acquired.isEmpty();
                acquired = fetch(memberId).acquired()) {
            for (AcquiredRecords range : acquired) {
                for (long offset = range.firstOffset(); offset <= range.lastOffset(); offset++) {
                    offsets.add(offset);
                }
            }
        }
        return offsets;
    }

    private void appendTransactional(long producerId, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(cluster.time.milliseconds(), null, ("t" + i).getBytes(StandardCharsets.UTF_8));
        }
        cluster.partition().appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId,
                (short) 0, 0, records), (short) 1, 1);
    }

    private void abortOrCommit(long producerId, boolean commit) {
        cluster.partition().appendMarkerAsLeader(producerId, (short) 0, 0, commit, (short) 0);
    }

    private SharePartitionManager.Acquired fetch(String memberId) {
        return manager.fetch("g", memberId, TIP, cluster.partition(), 1 << 20, 100);
    }
}
