package io.strand.broker.topic;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;

/**
 * Creates topics that clients name before they exist (Metadata with auto creation allowed), with the
 * broker's default partition count and replication factor. A topic that appears concurrently counts
 * as created. Thread-safe: it only submits to the controller's queue.
 */
public final class TopicAutoCreator {

    private final Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;

    public TopicAutoCreator(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics) {
        this.createTopics = createTopics;
    }

    /** Completes when every topic exists or failed to be created; failures show in the metadata answer. */
    public CompletableFuture<Void> create(Set<String> names) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (String name : names) {
            request.topics().add(new CreatableTopic().setName(name).setNumPartitions(-1).setReplicationFactor((short) -1));
        }
        return createTopics.apply(request).handle((response, error) -> null);
    }
}
