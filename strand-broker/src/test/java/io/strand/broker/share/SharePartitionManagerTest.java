package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
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

    private void start() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        manager = new SharePartitionManager(ShareGroupConfig.from(Map.of()), cluster.time, woken::add);
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
    void aReleaseWakesWaitingFetchesAndTheRecordsGoToTheNextFetcher() {
        start();
        fetch("m1");
        cluster.append(2);
        fetch("m1");
        int epoch = cluster.partition().leaderEpoch();

        assertThat(manager.acknowledgeAndWake("g", "m1", TIP, epoch, List.of(new SharePartition.Acknowledgement(0, 1,
                List.of(SharePartition.RELEASE))))).isEqualTo(Errors.NONE);

        assertThat(woken).containsExactly(ReplicatedPartitionFixture.TP);
        assertThat(fetch("m2").acquired()).containsExactly(new AcquiredRecords().setFirstOffset(0).setLastOffset(1)
                .setDeliveryCount((short) 2));
    }

    @Test
    void aNewLeadershipStartsTheGroupAgainAndRefusesAcknowledgementsOfTheOldOne() {
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
        assertThat(manager.acknowledge("g", "m1", TIP, newEpoch, accept)).isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(fetch("m1").acquired()).as("a fresh start at the high watermark").isEmpty();
        assertThat(manager.sharePartition("g", TIP).startOffset()).isEqualTo(2);
    }

    private SharePartitionManager.Acquired fetch(String memberId) {
        return manager.fetch("g", memberId, TIP, cluster.partition(), 1 << 20, 100);
    }
}
