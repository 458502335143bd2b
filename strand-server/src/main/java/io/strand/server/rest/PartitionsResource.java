package io.strand.server.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpRouter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A topic's partitions, REST Proxy v3 shapes ({@code KafkaPartition}) with Strand's additions
 * {@code leader_id}, {@code replica_ids}, {@code isr_ids}, {@code earliest_offset} (log start) and
 * {@code latest_offset} (high watermark), from DescribeTopics and ListOffsets:
 * <ul>
 *   <li>{@code GET .../topics/{t}/partitions};</li>
 *   <li>{@code GET .../topics/{t}/partitions/{partition_id}}: 404 UNKNOWN_TOPIC_OR_PARTITION for a
 *       partition the topic does not have, 400 for an id that is no non-negative integer.</li>
 * </ul>
 * An offline partition has {@code leader_id} -1 and offsets -1. Stateless.
 */
final class PartitionsResource {

    private final KafkaAccess access;

    PartitionsResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        String partitions = "/v3/clusters/{cluster_id}/topics/{topic_name}/partitions";
        routes.async(HttpMethod.GET, partitions, Endpoints.inCluster(access, (call, links) -> {
            String topic = call.param("topic_name");
            return describe(topic).thenCompose(description -> withOffsets(description.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList()).thenApply(offsets -> {
                        ObjectNode list = Json.object().put("kind", "KafkaPartitionList");
                        list.set("metadata", links.listMetadata("/topics/" + topic + "/partitions"));
                        ArrayNode data = list.putArray("data");
                        description.partitions().forEach(p -> data.add(partition(links, topic, p, offsets)));
                        return Json.reply(200, list);
                    }));
        }));
        routes.async(HttpMethod.GET, partitions + "/{partition_id}", Endpoints.inCluster(access, (call, links) -> {
            String topic = call.param("topic_name");
            int id = Json.pathInt(call, "partition_id");
            return describe(topic).thenCompose(description -> {
                TopicPartitionInfo info = partitionOf(description, id);
                return withOffsets(List.of(new TopicPartition(topic, id)))
                        .thenApply(offsets -> Json.reply(200, partition(links, topic, info, offsets)));
            });
        }));
    }

    /** Partition {@code id} of {@code topic}, else 404. */
    static TopicPartitionInfo partitionOf(TopicDescription topic, int id) {
        return topic.partitions().stream().filter(p -> p.partition() == id).findFirst()
                .orElseThrow(() -> new HttpException(404, "UNKNOWN_TOPIC_OR_PARTITION: topic " + topic.name()
                        + " has no partition " + id + " (it has " + topic.partitions().size() + ")"));
    }

    private CompletableFuture<TopicDescription> describe(String topic) {
        return Endpoints.cf(access.admin().describeTopics(Set.of(topic)).allTopicNames()).thenApply(all -> all.get(topic));
    }

    private record Bounds(Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest) {
    }

    private CompletableFuture<Bounds> withOffsets(List<TopicPartition> partitions) {
        return Offsets.list(access.admin(), partitions, OffsetSpec.earliest())
                .thenCombine(Offsets.list(access.admin(), partitions, OffsetSpec.latest()), Bounds::new);
    }

    private static ObjectNode partition(Links links, String topic, TopicPartitionInfo info, Bounds offsets) {
        String path = "/topics/" + topic + "/partitions/" + info.partition();
        ObjectNode node = Json.object().put("kind", "KafkaPartition");
        node.set("metadata", links.metadata(path, "/topic=" + topic + "/partition=" + info.partition()));
        node.put("cluster_id", links.clusterId());
        node.put("topic_name", topic);
        node.put("partition_id", info.partition());
        boolean online = info.leader() != null && !info.leader().isEmpty();
        if (online) {
            node.set("leader", links.related(path + "/replicas/" + info.leader().id()));
        } else {
            node.putNull("leader");
        }
        node.set("replicas", links.related(path + "/replicas"));
        node.set("reassignment", links.related(path + "/reassignment"));
        node.put("leader_id", online ? info.leader().id() : -1);
        ArrayNode replicas = node.putArray("replica_ids");
        info.replicas().stream().map(Node::id).forEach(replicas::add);
        ArrayNode isr = node.putArray("isr_ids");
        info.isr().stream().map(Node::id).forEach(isr::add);
        TopicPartition tp = new TopicPartition(topic, info.partition());
        node.put("earliest_offset", offsets.earliest().getOrDefault(tp, Offsets.UNKNOWN));
        node.put("latest_offset", offsets.latest().getOrDefault(tp, Offsets.UNKNOWN));
        return node;
    }
}
