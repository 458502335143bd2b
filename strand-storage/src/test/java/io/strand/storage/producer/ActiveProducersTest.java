package io.strand.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only copies of the producer state that DescribeProducers reports. */
class ActiveProducersTest {

    static final short EPOCH = 2;

    @TempDir
    Path dir;

    @Test
    void reportsEachProducersEpochSequenceTimeCoordinatorEpochAndOpenTransaction() {
        ProducerStateManager s = new ProducerStateManager(new TopicPartition("t", 0), dir);
        s.onBatchAppended(30L, EPOCH, new ProducerEntry.BatchMetadata(0, 4, 0, 4, 1_000L), false);
        s.onBatchAppended(10L, EPOCH, new ProducerEntry.BatchMetadata(0, 1, 5, 6, 2_000L), true);
        s.onBatchAppended(20L, EPOCH, new ProducerEntry.BatchMetadata(0, 0, 7, 7, 3_000L), true);
        s.onMarker(20L, EPOCH, 4, false, 8, 4_000L);

        assertThat(s.activeProducers()).containsExactly(
                new ActiveProducer(10L, EPOCH, 1, 2_000L, -1, 5L),
                new ActiveProducer(20L, EPOCH, 0, 4_000L, 4, -1L),
                new ActiveProducer(30L, EPOCH, 4, 1_000L, -1, -1L));
    }

    @Test
    void aCopyDoesNotFollowLaterAppends() {
        ProducerStateManager s = new ProducerStateManager(new TopicPartition("t", 0), dir);
        s.onBatchAppended(10L, EPOCH, new ProducerEntry.BatchMetadata(0, 0, 0, 0, 1_000L), true);
        var before = s.activeProducers();

        s.onMarker(10L, EPOCH, 0, true, 1, 2_000L);

        assertThat(before).containsExactly(new ActiveProducer(10L, EPOCH, 0, 1_000L, -1, 0L));
        assertThat(s.activeProducers()).containsExactly(new ActiveProducer(10L, EPOCH, 0, 2_000L, 0, -1L));
    }

    @Test
    void anEmptyStateHasNoProducers() {
        assertThat(new ProducerStateManager(new TopicPartition("t", 0), dir).activeProducers()).isEmpty();
    }
}
