package io.strand.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.OffsetsTopicLog;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupMarkerWriterTest {

    private final GroupCoordinator coordinator = new GroupCoordinator(GroupCoordinatorConfig.from(Map.of(
            GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, "2")), new OffsetsTopicLog() {
                @Override
                public CompletableFuture<Long> append(int partition, MemoryRecords records) {
                    return CompletableFuture.completedFuture(0L);
                }

                @Override
                public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                            int coordinatorEpoch, boolean commit) {
                    return CompletableFuture.failedFuture(new InvalidProducerEpochException("older epoch"));
                }

                @Override
                public long logStartOffset(int partition) {
                    return 0;
                }

                @Override
                public Records read(int partition, long fromOffset, int maxBytes) {
                    return MemoryRecords.EMPTY;
                }

                @Override
                public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
                    return CompletableFuture.completedFuture(null);
                }
            }, Time.SYSTEM, new Random(1));
    private final GroupMarkerWriter writer = new GroupMarkerWriter(coordinator);

    @AfterEach
    void close() {
        coordinator.close();
    }

    @Test
    void ownsTheOffsetsTopicOnly() {
        assertThat(writer.owns(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 1))).isTrue();
        assertThat(writer.owns(new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, 1))).isFalse();
        assertThat(writer.owns(new TopicPartition("events", 0))).isFalse();
    }

    @Test
    void aPartitionNotLoadedHereIsNotLeaderOrFollower() {
        Errors error = writer.writeMarker(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 1), 5L, (short) 0, 0,
                true).join();

        assertThat(error).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void theLogsRefusalIsAnsweredAsIs() {
        coordinator.onLeadership(java.util.Set.of(0));
        org.awaitility.Awaitility.await().until(() -> coordinator.isActive(0));

        Errors error = writer.writeMarker(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0), 5L, (short) 0, 0,
                true).join();

        assertThat(error).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void coordinatorErrorsBecomeNotLeaderOrFollowerAsKafkaAnswersThem() {
        assertThat(GroupMarkerWriter.markerError(new CompletionException(new NotCoordinatorException("x"))))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(GroupMarkerWriter.markerError(new CoordinatorLoadInProgressException("x")))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(GroupMarkerWriter.markerError(new TransactionCoordinatorFencedException("x")))
                .isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
    }
}
