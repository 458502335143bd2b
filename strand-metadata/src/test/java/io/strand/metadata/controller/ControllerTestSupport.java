package io.strand.metadata.controller;

import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;

/** Request builders and waiting helpers shared by the controller tests. */
public final class ControllerTestSupport {

    private ControllerTestSupport() {
    }

    public static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Future failed or timed out", e);
        }
    }

    public static RegisterBrokerRecord broker(int id) {
        return new RegisterBrokerRecord(id, new Uuid(100, id),
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id, "PLAINTEXT")), null);
    }

    public static CreatableTopic topic(String name, int numPartitions, int replicationFactor) {
        return new CreatableTopic().setName(name).setNumPartitions(numPartitions)
                .setReplicationFactor((short) replicationFactor);
    }

    public static CreatableTopic withConfig(CreatableTopic topic, String name, String value) {
        topic.configs().add(new CreatableTopicConfig().setName(name).setValue(value));
        return topic;
    }

    public static CreatableTopic withAssignment(CreatableTopic topic, int partition, Integer... brokers) {
        topic.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(partition)
                .setBrokerIds(List.of(brokers)));
        return topic;
    }

    public static CreateTopicsRequestData createTopics(CreatableTopic... topics) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (CreatableTopic topic : topics) {
            request.topics().add(topic);
        }
        return request;
    }
}
