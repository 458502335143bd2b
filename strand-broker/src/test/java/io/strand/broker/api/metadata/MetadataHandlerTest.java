package io.strand.broker.api.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.topic.TopicAutoCreator;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;

class MetadataHandlerTest {

    @Test
    void fencedBrokersAreLeftOutOfTheBrokerListAndNeverNamedController() {
        MetadataImage image = TestImages.builder().fencedBroker(1).broker(2).broker(3)
                .topicWithPartition("events", List.of(1, 2), List.of(2), 2, 5)
                .build();
        MetadataResponseData response = allTopics(image);

        assertThat(response.brokers()).extracting(MetadataResponseBroker::nodeId).containsExactlyInAnyOrder(2, 3);
        assertThat(response.controllerId()).isEqualTo(2);
        // The partition still names its replicas as registered, as Kafka's metadata cache does.
        assertThat(response.topics().find("events").partitions().get(0).replicaNodes()).containsExactly(1, 2);
    }

    @Test
    void replicasOnFencedOrUnknownBrokersOrInAnOfflineLogDirectoryAreListedOffline() {
        MetadataImage image = TestImages.builder().broker(1).fencedBroker(3)
                .topicWithPartition("healthy", List.of(1), List.of(1), 1, 1)
                .topicWithPartition("fenced", List.of(1, 3), List.of(1), 1, 1)
                .topicWithPartition("gone", List.of(7, 1), List.of(1), 1, 1)
                .topicWithPartition("split", List.of(1), List.of(1), 1, 1)
                .replicaInOfflineDirectory("split", 2)
                .build();

        MetadataResponseData response = allTopics(image);

        assertThat(response.topics().find("healthy").partitions().get(0).offlineReplicas()).isEmpty();
        assertThat(response.topics().find("fenced").partitions().get(0).offlineReplicas()).containsExactly(3);
        assertThat(response.topics().find("gone").partitions().get(0).offlineReplicas()).containsExactly(7);
        assertThat(response.topics().find("split").partitions().get(0).offlineReplicas()).containsExactly(2);
    }

    @Test
    void aMissingInternalTopicNamedWithAutoCreationIsCreatedInTheBackgroundAndAnsweredUnknown() {
        MetadataImage image = TestImages.builder().broker(1).build();
        List<String> started = new java.util.ArrayList<>();
        MetadataHandler handler = new MetadataHandler(() -> image,
                new TopicAutoCreator(request -> CompletableFuture.completedFuture(new CreateTopicsResponseData())),
                true, () -> 1, started::add);
        MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(true)
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets")));
        MetadataRequest request = new MetadataRequest.Builder(data).build((short) 12);

        MetadataResponseData response = handler.handle(Requests.context(request), request).join();

        assertThat(started).containsExactly("__consumer_offsets");
        assertThat(response.topics().find("__consumer_offsets").errorCode())
                .isEqualTo(org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        MetadataRequest notAllowed = new MetadataRequest.Builder(data.duplicate().setAllowAutoTopicCreation(false))
                .build((short) 12);
        handler.handle(Requests.context(notAllowed), notAllowed).join();
        assertThat(started).hasSize(1);
    }

    /** Metadata v12 for every topic, from a handler on {@code image} whose active controller is node 1. */
    private static MetadataResponseData allTopics(MetadataImage image) {
        MetadataHandler handler = new MetadataHandler(() -> image,
                new TopicAutoCreator(request -> CompletableFuture.completedFuture(new CreateTopicsResponseData())),
                false, () -> 1);
        MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData().setTopics(null))
                .build((short) 12);
        return handler.handle(Requests.context(request), request).join();
    }
}
