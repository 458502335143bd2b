package io.strand.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpRouter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Topics, REST Proxy v3 shapes ({@code KafkaTopic}), through the Admin client:
 * <ul>
 *   <li>{@code GET .../topics}: every topic the caller may DESCRIBE, internal ones flagged
 *       {@code is_internal}, by name;</li>
 *   <li>{@code POST .../topics} {@code {"topic_name","partitions_count","replication_factor",
 *       "configs":[{"name","value"}],"validate_only"}}: CreateTopics; 201 with the topic, 409
 *       TOPIC_ALREADY_EXISTS, 400 for a bad name, count or config (Kafka's error);</li>
 *   <li>{@code GET .../topics/{topic_name}}: the topic, 404 UNKNOWN_TOPIC_OR_PARTITION;</li>
 *   <li>{@code DELETE .../topics/{topic_name}}: DeleteTopics, 204.</li>
 * </ul>
 * {@code replication_factor} is the first partition's replica count. Stateless.
 */
final class TopicsResource {

    private final KafkaAccess access;

    TopicsResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        String topics = "/v3/clusters/{cluster_id}/topics";
        routes.async(HttpMethod.GET, topics, Endpoints.inCluster(access, (call, links) ->
                Endpoints.cf(access.admin().listTopics(new ListTopicsOptions().listInternal(true)).names())
                        .thenApply(names -> names.stream().filter(name ->
                                access.authorizer().may(call, AclOperation.DESCRIBE, ResourceType.TOPIC, name)).toList())
                        .thenCompose(this::describe).thenApply(described -> {
                            ObjectNode list = Json.object().put("kind", "KafkaTopicList");
                            list.set("metadata", links.listMetadata("/topics"));
                            ArrayNode data = list.putArray("data");
                            described.values().stream().sorted(Comparator.comparing(TopicDescription::name))
                                    .forEach(topic -> data.add(topic(links, topic)));
                            return Json.reply(200, list);
                        })));
        routes.async(HttpMethod.POST, topics, Endpoints.inCluster(access, (call, links) -> create(links,
                Json.parseObject(call.body()))));
        routes.async(HttpMethod.GET, topics + "/{topic_name}", Endpoints.inCluster(access, (call, links) ->
                describe(Set.of(call.param("topic_name"))).thenApply(described ->
                        Json.reply(200, topic(links, described.get(call.param("topic_name")))))));
        routes.async(HttpMethod.DELETE, topics + "/{topic_name}", Endpoints.inCluster(access, (call, links) ->
                Endpoints.cf(access.admin().deleteTopics(List.of(call.param("topic_name"))).all())
                        .thenApply(done -> Json.noContent())));
    }

    private CompletableFuture<Map<String, TopicDescription>> describe(java.util.Collection<String> names) {
        return Endpoints.cf(access.admin().describeTopics(names).allTopicNames());
    }

    private CompletableFuture<io.strand.server.http.HttpReply> create(Links links, JsonNode body) {
        String name = Json.text(body, "topic_name");
        Optional<Integer> partitions = Json.optInt(body, "partitions_count", 1, Integer.MAX_VALUE);
        Optional<Short> replication = Json.optInt(body, "replication_factor", 1, Short.MAX_VALUE).map(Integer::shortValue);
        Map<String, String> configs = new LinkedHashMap<>();
        for (JsonNode config : Json.optArray(body, "configs")) {
            if (!config.isObject()) {
                throw Json.badRequest("each of 'configs' must be an object {\"name\",\"value\"}");
            }
            configs.put(Json.text(config, "name"), Json.optText(config, "value").orElse(null));
        }
        boolean validateOnly = Json.optBoolean(body, "validate_only");
        CreateTopicsResult result = access.admin().createTopics(
                List.of(new NewTopic(name, partitions, replication).configs(configs)),
                new CreateTopicsOptions().validateOnly(validateOnly));
        return Endpoints.cf(result.all())
                .thenCompose(done -> Endpoints.cf(result.numPartitions(name)))
                .thenCombine(Endpoints.cf(result.replicationFactor(name)), (count, factor) -> {
                    return Json.reply(201, topicNode(links, name, false, factor, count));
                });
    }

    static ObjectNode topic(Links links, TopicDescription topic) {
        int replication = topic.partitions().isEmpty() ? 0 : topic.partitions().get(0).replicas().size();
        ObjectNode node = topicNode(links, topic.name(), topic.isInternal(), replication, topic.partitions().size());
        node.put("topic_id", topic.topicId().toString());
        return node;
    }

    private static ObjectNode topicNode(Links links, String name, boolean internal, int replication, int partitions) {
        String path = "/topics/" + name;
        ObjectNode node = Json.object().put("kind", "KafkaTopic");
        node.set("metadata", links.metadata(path, "/topic=" + name));
        node.put("cluster_id", links.clusterId());
        node.put("topic_name", name);
        node.put("is_internal", internal);
        node.put("replication_factor", replication);
        node.put("partitions_count", partitions);
        node.set("partitions", links.related(path + "/partitions"));
        node.set("configs", links.related(path + "/configs"));
        node.set("partition_reassignments", links.related(path + "/partitions/-/reassignment"));
        return node;
    }
}
