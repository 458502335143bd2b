package io.strand.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Strand extension: {@code POST .../consumer-groups/{consumer_group_id}/offsets:reset}
 * {@code {"to":"EARLIEST|LATEST|OFFSET|TIMESTAMP","offset","timestamp","topic_name","partitions",
 * "validate_only"}} commits new offsets for an EMPTY group, as kafka-consumer-groups.sh
 * --reset-offsets does: EARLIEST the log start, LATEST the high watermark, OFFSET the given offset
 * clamped to [log start, high watermark], TIMESTAMP the first offset at or after it (the high
 * watermark when none). The partitions: those listed of {@code topic_name}, or all of it, or without
 * a topic every partition the group has committed offsets for.
 *
 * <p>A group with members: 409 NON_EMPTY_GROUP, nothing committed (Kafka's broker would refuse the
 * commit too, with UNKNOWN_MEMBER_ID). A group that does not exist may be given offsets when a topic
 * is named (as the Kafka tool allows); without one it is 404. Answers the offsets committed (or that
 * would be, with validate_only). Stateless.
 */
final class GroupOffsetsResource {

    private final KafkaAccess access;
    private final GroupsResource groups;

    GroupOffsetsResource(KafkaAccess access, GroupsResource groups) {
        this.access = access;
        this.groups = groups;
    }

    private record Reset(String to, Optional<Long> offset, Optional<Long> timestamp, Optional<String> topic,
                         List<Integer> partitions, boolean validateOnly) {
    }

    void addTo(HttpRouter.Builder routes) {
        routes.async(HttpMethod.POST, "/v3/clusters/{cluster_id}/consumer-groups/{consumer_group_id}/offsets:reset",
                Endpoints.inCluster(access, (call, links) -> {
                    Reset reset = parse(Json.parseObject(call.body()));
                    String groupId = call.param("consumer_group_id");
                    reset.topic().ifPresent(topic -> access.authorizer().require(call, AclOperation.READ,
                            ResourceType.TOPIC, topic));
                    return groups.describe(groupId).handle((d, failure) -> {
                        if (failure != null) {
                            HttpException http = KafkaErrors.toHttp(failure);
                            if (http.status() != 404 || reset.topic().isEmpty()) {
                                throw http;
                            }
                            return true;
                        }
                        if (!d.members().isEmpty()) {
                            throw new HttpException(409, "NON_EMPTY_GROUP: group " + groupId + " has "
                                    + d.members().size() + " member(s) (state " + d.groupState().name()
                                    + "); stop its consumers before resetting its offsets");
                        }
                        return true;
                    }).thenCompose(ok -> partitions(groupId, reset)).thenApply(tps -> {
                        // As OffsetCommit: READ on every topic whose offsets change, before any does.
                        tps.stream().map(TopicPartition::topic).distinct().forEach(topic ->
                                access.authorizer().require(call, AclOperation.READ, ResourceType.TOPIC, topic));
                        return tps;
                    }).thenCompose(tps -> targets(reset, tps))
                            .thenCompose(targets -> commit(groupId, reset, targets));
                }));
    }

    private static Reset parse(JsonNode body) {
        String to = Json.text(body, "to").toUpperCase(Locale.ROOT);
        Optional<Long> offset = Json.optLong(body, "offset", 0, Long.MAX_VALUE);
        Optional<Long> timestamp = Json.optLong(body, "timestamp", 0, Long.MAX_VALUE);
        switch (to) {
            case "EARLIEST", "LATEST" -> { }
            case "OFFSET" -> offset.orElseThrow(() -> Json.badRequest("'offset' is required with \"to\":\"OFFSET\""));
            case "TIMESTAMP" -> timestamp.orElseThrow(() -> Json.badRequest("'timestamp' is required with \"to\":\"TIMESTAMP\""));
            default -> throw Json.badRequest("'to' must be EARLIEST, LATEST, OFFSET or TIMESTAMP, not " + to);
        }
        Optional<String> topic = Json.optText(body, "topic_name");
        List<Integer> partitions = new ArrayList<>();
        for (JsonNode p : Json.optArray(body, "partitions")) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < 0) {
                throw Json.badRequest("'partitions' must list non-negative integers, not " + p);
            }
            partitions.add(p.asInt());
        }
        if (!partitions.isEmpty() && topic.isEmpty()) {
            throw Json.badRequest("'partitions' needs 'topic_name'");
        }
        return new Reset(to, offset, timestamp, topic, partitions, Json.optBoolean(body, "validate_only"));
    }

    private CompletableFuture<List<TopicPartition>> partitions(String groupId, Reset reset) {
        if (reset.topic().isEmpty()) {
            return Endpoints.cf(access.admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(groupId))
                    .thenApply(committed -> new ArrayList<>(committed.keySet()));
        }
        String topic = reset.topic().get();
        return Endpoints.cf(access.admin().describeTopics(Set.of(topic)).allTopicNames()).thenApply(described -> {
            if (reset.partitions().isEmpty()) {
                return described.get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            return reset.partitions().stream().map(p -> new TopicPartition(topic,
                    PartitionsResource.partitionOf(described.get(topic), p).partition())).toList();
        });
    }

    private CompletableFuture<Map<TopicPartition, Long>> targets(Reset reset, List<TopicPartition> tps) {
        CompletableFuture<Map<TopicPartition, Long>> earliest = Offsets.list(access.admin(), tps, OffsetSpec.earliest());
        CompletableFuture<Map<TopicPartition, Long>> latest = Offsets.list(access.admin(), tps, OffsetSpec.latest());
        CompletableFuture<Map<TopicPartition, Long>> atTime = reset.to().equals("TIMESTAMP")
                ? Offsets.list(access.admin(), tps, OffsetSpec.forTimestamp(reset.timestamp().get()))
                : CompletableFuture.completedFuture(Map.of());
        return earliest.thenCompose(e -> latest.thenCombine(atTime, (l, t) -> {
            Map<TopicPartition, Long> targets = new HashMap<>();
            for (TopicPartition tp : tps) {
                long start = e.getOrDefault(tp, Offsets.UNKNOWN);
                long end = l.getOrDefault(tp, Offsets.UNKNOWN);
                if (start < 0 || end < 0) {
                    throw new HttpException(503, "LEADER_NOT_AVAILABLE: the offsets of " + tp + " cannot be read now");
                }
                long target = switch (reset.to()) {
                    case "EARLIEST" -> start;
                    case "LATEST" -> end;
                    case "OFFSET" -> Math.min(end, Math.max(start, reset.offset().get()));
                    default -> {
                        long found = t.getOrDefault(tp, Offsets.UNKNOWN);
                        yield found < 0 ? end : found;
                    }
                };
                targets.put(tp, target);
            }
            return targets;
        }));
    }

    private CompletableFuture<HttpReply> commit(String groupId, Reset reset, Map<TopicPartition, Long> targets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        targets.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        CompletableFuture<Void> committed = reset.validateOnly() || offsets.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : Endpoints.cf(access.admin().alterConsumerGroupOffsets(groupId, offsets).all());
        return committed.thenApply(done -> {
            ObjectNode answer = Json.object().put("kind", "KafkaConsumerGroupOffsetResetList");
            ArrayNode data = answer.putArray("data");
            targets.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<TopicPartition, Long> e) -> e.getKey().topic())
                            .thenComparingInt(e -> e.getKey().partition()))
                    .forEach(e -> data.addObject().put("topic_name", e.getKey().topic())
                            .put("partition_id", e.getKey().partition()).put("offset", e.getValue()));
            return Json.reply(200, answer);
        });
    }
}
