package io.strand.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.TestImages;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class TransactionCoordinatorServiceTest {

    private static final int NODE_ID = 1;

    @Test
    void ledPartitionsAreThoseThisBrokerLeadsWithTheirLeaderEpochs() {
        TestImages image = TestImages.builder().broker(NODE_ID).broker(2)
                .topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 3, 2)
                .topicWithPartition("other", List.of(NODE_ID), List.of(NODE_ID), NODE_ID, 4);

        assertThat(TransactionCoordinatorService.ledPartitions(image.build(), 2))
                .containsExactlyInAnyOrderEntriesOf(Map.of(0, 0, 1, 0, 2, 0));
        assertThat(TransactionCoordinatorService.ledPartitions(image.build(), NODE_ID)).isEmpty();
    }

    @Test
    void aFencedBrokerLeadsNothing() {
        TestImages image = TestImages.builder().fencedBroker(NODE_ID)
                .topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 2, NODE_ID);

        assertThat(TransactionCoordinatorService.ledPartitions(image.build(), NODE_ID)).isEmpty();
    }

    @Test
    void theCoordinatorActsOnTheFinalizedTransactionVersionOfTheLatestImage() {
        TransactionCoordinatorService service = new TransactionCoordinatorService(NODE_ID,
                TransactionCoordinatorConfig.defaults(), new ReplicaManager(NODE_ID, null, null), () -> 1L,
                (markers, completion) -> { }, group -> 0, Time.SYSTEM);
        try {
            assertThat(service.finalizedTransactionVersion()).as("not finalized").isZero();

            service.onMetadataImage(TestImages.builder().feature("transaction.version", (short) 2).build());
            assertThat(service.finalizedTransactionVersion()).isEqualTo((short) 2);
        } finally {
            service.close();
        }
    }
}
