package io.strand.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * {@code POST .../topics/{topic_name}/records}: REST Proxy v3 produce ({@link ProduceRequest}), one
 * record or several JSON objects in one body (REST Proxy's streaming form), sent in order with
 * acks=all through the API's producer.
 *
 * <p>Contract: the whole body is read and checked first; malformed JSON, a wrong type, a negative
 * partition is 400, an unknown topic or a partition the topic does not have 404, and then nothing is
 * produced. Otherwise every record is sent and the answer has one object per record, in order,
 * separated by a newline: {@code {"error_code":200,"cluster_id","topic_name","partition_id","offset",
 * "timestamp":ISO-8601,"key":{"type","size"},"value":{...}}}, or for a record Kafka refused
 * {@code {"error_code":<status>,"message":"<KAFKA_ERROR>: ..."}}. A body of one record whose produce
 * failed answers that error's status; otherwise 200. The producer's sends run on the API's executor,
 * never on the HTTP event loop. Stateless.
 */
final class ProduceResource {

    private final KafkaAccess access;

    ProduceResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        routes.async(HttpMethod.POST, "/v3/clusters/{cluster_id}/topics/{topic_name}/records",
                Endpoints.inCluster(access, (call, links) -> {
                    List<JsonNode> values = Json.parseValues(call.body());
                    List<ProduceRequest> requests = new ArrayList<>(values.size());
                    for (int i = 0; i < values.size(); i++) {
                        requests.add(ProduceRequest.parse(values.get(i), i));
                    }
                    String topic = call.param("topic_name");
                    return Endpoints.cf(access.admin().describeTopics(Set.of(topic)).allTopicNames())
                            .thenCompose(described -> {
                                TopicDescription description = described.get(topic);
                                requests.forEach(r -> r.partition().ifPresent(p -> PartitionsResource.partitionOf(description, p)));
                                return CompletableFuture.supplyAsync(() -> send(links, topic, requests), access.executor())
                                        .thenCompose(sent -> CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                                                .thenApply(done -> answer(sent)));
                            });
                }));
    }

    private List<CompletableFuture<ObjectNode>> send(Links links, String topic, List<ProduceRequest> requests) {
        List<CompletableFuture<ObjectNode>> sent = new ArrayList<>(requests.size());
        for (ProduceRequest request : requests) {
            CompletableFuture<ObjectNode> result = new CompletableFuture<>();
            try {
                access.producer().send(request.toRecord(topic), (metadata, failure) -> {
                    if (failure != null) {
                        result.complete(error(failure));
                        return;
                    }
                    ObjectNode node = Json.object().put("error_code", 200)
                            .put("cluster_id", links.clusterId())
                            .put("topic_name", topic).put("partition_id", metadata.partition())
                            .put("offset", metadata.offset())
                            .put("timestamp", Instant.ofEpochMilli(metadata.timestamp()).toString());
                    node.set("key", size(request.keyType(), request.key()));
                    node.set("value", size(request.valueType(), request.value()));
                    result.complete(node);
                });
            } catch (RuntimeException e) {
                result.complete(error(e));
            }
            sent.add(result);
        }
        return sent;
    }

    private static ObjectNode error(Throwable failure) {
        HttpException http = KafkaErrors.toHttp(failure);
        return Json.object().put("error_code", http.status()).put("message", http.getMessage());
    }

    private static JsonNode size(String type, byte[] bytes) {
        if (type == null) {
            return Json.object().nullNode();
        }
        return Json.object().put("type", type).put("size", bytes == null ? 0 : bytes.length);
    }

    private static HttpReply answer(List<CompletableFuture<ObjectNode>> sent) {
        if (sent.size() == 1) {
            ObjectNode only = sent.get(0).join();
            int status = only.get("error_code").asInt();
            return Json.reply(status, only);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (CompletableFuture<ObjectNode> each : sent) {
            out.writeBytes(Json.reply(200, each.join()).body());
            out.write('\n');
        }
        return new HttpReply(200, HttpReply.JSON, out.toByteArray());
    }
}
