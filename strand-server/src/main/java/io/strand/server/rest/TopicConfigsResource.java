package io.strand.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;

/**
 * A topic's configs, REST Proxy v3 shapes ({@code KafkaTopicConfig}):
 * <ul>
 *   <li>{@code GET .../topics/{t}/configs}, {@code .../configs/{name}}: DescribeConfigs with synonyms
 *       (a name the topic has no config of: 404);</li>
 *   <li>{@code PUT .../configs/{name}} {@code {"value"}}, {@code DELETE .../configs/{name}}:
 *       IncrementalAlterConfigs SET or DELETE, 204;</li>
 *   <li>{@code POST .../configs:alter} {@code {"data":[{"name","value","operation":"SET|DELETE"}],
 *       "validate_only"}}: one IncrementalAlterConfigs of all of them (Kafka applies all or none), 204.</li>
 * </ul>
 * Kafka validates names and values: INVALID_CONFIG is 400, an unknown topic 404. Stateless.
 */
final class TopicConfigsResource {

    private final KafkaAccess access;

    TopicConfigsResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        String configs = "/v3/clusters/{cluster_id}/topics/{topic_name}/configs";
        routes.async(HttpMethod.GET, configs, Endpoints.inCluster(access, (call, links) -> {
            String topic = call.param("topic_name");
            return describe(topic).thenApply(config -> {
                ObjectNode list = Json.object().put("kind", "KafkaTopicConfigList");
                list.set("metadata", links.listMetadata("/topics/" + topic + "/configs"));
                ArrayNode data = list.putArray("data");
                config.entries().stream().sorted(java.util.Comparator.comparing(ConfigEntry::name))
                        .forEach(entry -> data.add(entry(links, topic, entry)));
                return Json.reply(200, list);
            });
        }));
        routes.async(HttpMethod.POST, configs + ":alter", Endpoints.inCluster(access, (call, links) -> {
            JsonNode body = Json.parseObject(call.body());
            List<AlterConfigOp> ops = new ArrayList<>();
            for (JsonNode item : Json.optArray(body, "data")) {
                if (!item.isObject()) {
                    throw Json.badRequest("each of 'data' must be an object {\"name\",\"value\",\"operation\"}");
                }
                String operation = Json.optText(item, "operation").orElse("SET").toUpperCase(Locale.ROOT);
                AlterConfigOp.OpType type = switch (operation) {
                    case "SET" -> AlterConfigOp.OpType.SET;
                    case "DELETE" -> AlterConfigOp.OpType.DELETE;
                    default -> throw Json.badRequest("'operation' must be SET or DELETE, not " + operation);
                };
                String value = type == AlterConfigOp.OpType.SET ? Json.text(item, "value") : null;
                ops.add(new AlterConfigOp(new ConfigEntry(Json.text(item, "name"), value), type));
            }
            if (ops.isEmpty()) {
                throw Json.badRequest("'data' must list at least one config");
            }
            return alter(call.param("topic_name"), ops, Json.optBoolean(body, "validate_only"));
        }));
        String one = configs + "/{name}";
        routes.async(HttpMethod.GET, one, Endpoints.inCluster(access, (call, links) -> {
            String topic = call.param("topic_name");
            String name = call.param("name");
            return describe(topic).thenApply(config -> {
                ConfigEntry entry = config.get(name);
                if (entry == null) {
                    throw new HttpException(404, "INVALID_CONFIG: topic " + topic + " has no config " + name);
                }
                return Json.reply(200, entry(links, topic, entry));
            });
        }));
        routes.async(HttpMethod.PUT, one, Endpoints.inCluster(access, (call, links) -> {
            String value = Json.text(Json.parseObject(call.body()), "value");
            return alter(call.param("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(call.param("name"), value),
                    AlterConfigOp.OpType.SET)), false);
        }));
        routes.async(HttpMethod.DELETE, one, Endpoints.inCluster(access, (call, links) ->
                alter(call.param("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(call.param("name"), null),
                        AlterConfigOp.OpType.DELETE)), false)));
    }

    private CompletableFuture<Config> describe(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return Endpoints.cf(access.admin().describeConfigs(List.of(resource),
                new DescribeConfigsOptions().includeSynonyms(true)).values().get(resource));
    }

    private CompletableFuture<HttpReply> alter(String topic, List<AlterConfigOp> ops, boolean validateOnly) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return Endpoints.cf(access.admin().incrementalAlterConfigs(Map.of(resource, ops),
                new AlterConfigsOptions().validateOnly(validateOnly)).all()).thenApply(done -> Json.noContent());
    }

    private static ObjectNode entry(Links links, String topic, ConfigEntry entry) {
        ObjectNode node = Json.object().put("kind", "KafkaTopicConfig");
        node.set("metadata", links.metadata("/topics/" + topic + "/configs/" + entry.name(),
                "/topic=" + topic + "/config=" + entry.name()));
        node.put("cluster_id", links.clusterId());
        node.put("topic_name", topic);
        node.put("name", entry.name());
        node.put("value", entry.isSensitive() ? null : entry.value());
        node.put("is_default", entry.isDefault());
        node.put("is_read_only", entry.isReadOnly());
        node.put("is_sensitive", entry.isSensitive());
        node.put("source", entry.source().name());
        ArrayNode synonyms = node.putArray("synonyms");
        for (ConfigEntry.ConfigSynonym synonym : entry.synonyms()) {
            synonyms.addObject().put("name", synonym.name()).put("value", synonym.value())
                    .put("source", synonym.source().name());
        }
        return node;
    }
}
