package io.strand.server.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.broker.auth.Authorization;
import io.strand.server.http.HttpCall;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpRouter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Consumer groups, REST Proxy v3 shapes, through the Admin client (ListGroups, DescribeGroups or
 * ConsumerGroupDescribe, OffsetFetch, ListOffsets):
 * <ul>
 *   <li>{@code GET .../consumer-groups}, {@code .../consumer-groups/{consumer_group_id}}
 *       ({@code KafkaConsumerGroup}: state, assignor, coordinator; Strand adds {@code protocol_type}
 *       and {@code coordinator_id}); a group that does not exist (DEAD): 404 GROUP_ID_NOT_FOUND;</li>
 *   <li>{@code .../consumers}: members with their assignments inline;</li>
 *   <li>{@code .../lags}: per partition with a committed offset, the committed offset, the high
 *       watermark and their difference, and the member assigned it;</li>
 *   <li>{@code .../lag-summary}: the largest lag and the total.</li>
 * </ul>
 * With an authorizer, the list holds the groups the caller may DESCRIBE, and lags leave out the topics
 * it may not DESCRIBE ({@link RestAcls}).
 * Stateless.
 */
final class GroupsResource {

    private final KafkaAccess access;

    GroupsResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        String groups = "/v3/clusters/{cluster_id}/consumer-groups";
        String group = groups + "/{consumer_group_id}";
        routes.async(HttpMethod.GET, groups, Endpoints.inCluster(access, (call, links) ->
                Endpoints.cf(access.admin().listGroups(ListGroupsOptions.forConsumerGroups()).all())
                        .thenApply(all -> visible(call, all))
                        .thenCompose(listed -> listed.isEmpty()
                                ? CompletableFuture.completedFuture(Map.<String, ConsumerGroupDescription>of())
                                : Endpoints.cf(access.admin().describeConsumerGroups(
                                        listed.stream().map(l -> l.groupId()).toList()).all()))
                        .thenApply(described -> {
                            ObjectNode list = Json.object().put("kind", "KafkaConsumerGroupList");
                            list.set("metadata", links.listMetadata("/consumer-groups"));
                            ArrayNode data = list.putArray("data");
                            described.values().stream().sorted(Comparator.comparing(ConsumerGroupDescription::groupId))
                                    .forEach(d -> data.add(group(links, d)));
                            return Json.reply(200, list);
                        })));
        routes.async(HttpMethod.GET, group, Endpoints.inCluster(access, (call, links) ->
                describe(call.param("consumer_group_id")).thenApply(d -> Json.reply(200, group(links, d)))));
        routes.async(HttpMethod.GET, group + "/consumers", Endpoints.inCluster(access, (call, links) ->
                describe(call.param("consumer_group_id")).thenApply(d -> {
                    String path = "/consumer-groups/" + Links.segment(d.groupId()) + "/consumers";
                    ObjectNode list = Json.object().put("kind", "KafkaConsumerList");
                    list.set("metadata", links.listMetadata(path));
                    ArrayNode data = list.putArray("data");
                    d.members().stream().sorted(Comparator.comparing(MemberDescription::consumerId))
                            .forEach(m -> data.add(consumer(links, d.groupId(), m)));
                    return Json.reply(200, list);
                })));
        routes.async(HttpMethod.GET, group + "/lags", Endpoints.inCluster(access, (call, links) ->
                lags(call, call.param("consumer_group_id"), links).thenApply(lags -> {
                    ObjectNode list = Json.object().put("kind", "KafkaConsumerLagList");
                    list.set("metadata", links.listMetadata("/consumer-groups/"
                            + Links.segment(call.param("consumer_group_id")) + "/lags"));
                    list.putArray("data").addAll(lags);
                    return Json.reply(200, list);
                })));
        routes.async(HttpMethod.GET, group + "/lag-summary", Endpoints.inCluster(access, (call, links) -> {
            String id = call.param("consumer_group_id");
            return lags(call, id, links).thenApply(lags -> Json.reply(200, summary(links, id, lags)));
        }));
    }

    /** The group, or 404 GROUP_ID_NOT_FOUND when it does not exist. */
    CompletableFuture<ConsumerGroupDescription> describe(String groupId) {
        return Endpoints.cf(access.admin().describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId))
                .handle((d, failure) -> {
                    if (failure != null) {
                        if (KafkaErrors.unwrap(failure) instanceof GroupIdNotFoundException) {
                            throw notFound(groupId);
                        }
                        throw KafkaErrors.toHttp(failure);
                    }
                    if (d.groupState() == GroupState.DEAD) {
                        throw notFound(groupId);
                    }
                    return d;
                });
    }

    private static HttpException notFound(String groupId) {
        return new HttpException(404, "GROUP_ID_NOT_FOUND: group " + groupId + " does not exist");
    }

    /** The listed groups the caller may see: all with DESCRIBE on the cluster, else those it may DESCRIBE (ListGroups). */
    private List<GroupListing> visible(HttpCall call, java.util.Collection<GroupListing> listed) {
        RestAuthorizer authorizer = access.authorizer();
        if (authorizer.may(call, AclOperation.DESCRIBE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME)) {
            return List.copyOf(listed);
        }
        return listed.stream().filter(g -> authorizer.may(call, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId()))
                .toList();
    }

    /** Lag per committed partition, leaving out topics the caller may not DESCRIBE (as OffsetFetch does). */
    private CompletableFuture<List<ObjectNode>> lags(HttpCall call, String groupId, Links links) {
        return describe(groupId).thenCompose(d -> Endpoints.cf(access.admin().listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata(groupId)).thenCompose(committed -> {
                    Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
                    committed.forEach((tp, om) -> {
                        if (om != null && access.authorizer().may(call, AclOperation.DESCRIBE, ResourceType.TOPIC,
                                tp.topic())) {
                            present.put(tp, om);
                        }
                    });
                    Map<TopicPartition, MemberDescription> owners = new HashMap<>();
                    d.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m)));
                    return Offsets.list(access.admin(), present.keySet(), OffsetSpec.latest()).thenApply(ends ->
                            present.entrySet().stream()
                                    .sorted(Comparator.comparing((Map.Entry<TopicPartition, OffsetAndMetadata> e) -> e.getKey().topic())
                                            .thenComparingInt(e -> e.getKey().partition()))
                                    .map(e -> lag(links, groupId, e.getKey(), e.getValue().offset(),
                                            ends.getOrDefault(e.getKey(), Offsets.UNKNOWN), owners.get(e.getKey())))
                                    .toList());
                }));
    }

    private static ObjectNode lag(Links links, String groupId, TopicPartition tp, long committed, long end,
                                  MemberDescription owner) {
        ObjectNode node = Json.object().put("kind", "KafkaConsumerLag");
        node.set("metadata", links.metadata("/consumer-groups/" + Links.segment(groupId) + "/lags/" + tp.topic() + "/partitions/"
                + tp.partition(), "/consumer-group=" + groupId + "/lag=" + tp.topic() + "/partition=" + tp.partition()));
        node.put("cluster_id", links.clusterId()).put("consumer_group_id", groupId).put("topic_name", tp.topic())
                .put("partition_id", tp.partition()).put("current_offset", committed).put("log_end_offset", end)
                .put("lag", end < 0 ? 0 : Math.max(0, end - committed))
                .put("consumer_id", owner == null ? "" : owner.consumerId())
                .put("instance_id", owner == null ? null : owner.groupInstanceId().orElse(null))
                .put("client_id", owner == null ? "" : owner.clientId());
        return node;
    }

    private static ObjectNode summary(Links links, String groupId, List<ObjectNode> lags) {
        String path = "/consumer-groups/" + Links.segment(groupId);
        ObjectNode node = Json.object().put("kind", "KafkaConsumerGroupLagSummary");
        node.set("metadata", links.metadata(path + "/lag-summary", "/consumer-group=" + groupId + "/lag-summary"));
        node.put("cluster_id", links.clusterId()).put("consumer_group_id", groupId);
        long total = lags.stream().mapToLong(l -> l.get("lag").asLong()).sum();
        ObjectNode max = lags.stream().max(Comparator.comparingLong(l -> l.get("lag").asLong())).orElse(null);
        node.put("max_lag_consumer_id", max == null ? "" : max.get("consumer_id").asText())
                .put("max_lag_instance_id", max == null || max.get("instance_id").isNull() ? null : max.get("instance_id").asText())
                .put("max_lag_client_id", max == null ? "" : max.get("client_id").asText())
                .put("max_lag_topic_name", max == null ? "" : max.get("topic_name").asText())
                .put("max_lag_partition_id", max == null ? -1 : max.get("partition_id").asInt())
                .put("max_lag", max == null ? 0 : max.get("lag").asLong())
                .put("total_lag", total);
        if (max != null) {
            node.set("max_lag_consumer", links.related(path + "/consumers/" + Links.segment(max.get("consumer_id").asText())));
            node.set("max_lag_partition", links.related("/topics/" + max.get("topic_name").asText() + "/partitions/"
                    + max.get("partition_id").asInt()));
        }
        return node;
    }

    private static ObjectNode group(Links links, ConsumerGroupDescription d) {
        String path = "/consumer-groups/" + Links.segment(d.groupId());
        ObjectNode node = Json.object().put("kind", "KafkaConsumerGroup");
        node.set("metadata", links.metadata(path, "/consumer-group=" + d.groupId()));
        node.put("cluster_id", links.clusterId()).put("consumer_group_id", d.groupId())
                .put("is_simple", d.isSimpleConsumerGroup()).put("partition_assignor", d.partitionAssignor())
                .put("state", d.groupState().name())
                .put("type", d.type().name())
                .put("protocol_type", d.isSimpleConsumerGroup() ? "" : "consumer");
        boolean known = d.coordinator() != null && !d.coordinator().isEmpty();
        if (known) {
            node.set("coordinator", links.related("/brokers/" + d.coordinator().id()));
        } else {
            node.putNull("coordinator");
        }
        node.put("coordinator_id", known ? d.coordinator().id() : -1);
        node.set("consumers", links.related(path + "/consumers"));
        node.set("lag_summary", links.related(path + "/lag-summary"));
        return node;
    }

    private static ObjectNode consumer(Links links, String groupId, MemberDescription m) {
        String path = "/consumer-groups/" + Links.segment(groupId) + "/consumers/" + Links.segment(m.consumerId());
        ObjectNode node = Json.object().put("kind", "KafkaConsumer");
        node.set("metadata", links.metadata(path, "/consumer-group=" + groupId + "/consumer=" + m.consumerId()));
        node.put("cluster_id", links.clusterId()).put("consumer_group_id", groupId).put("consumer_id", m.consumerId())
                .put("instance_id", m.groupInstanceId().orElse(null)).put("client_id", m.clientId()).put("host", m.host());
        ObjectNode assignments = links.related(path + "/assignments");
        ArrayNode data = assignments.putArray("data");
        m.assignment().topicPartitions().stream()
                .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                .forEach(tp -> data.addObject().put("topic_name", tp.topic()).put("partition_id", tp.partition()));
        node.set("assignments", assignments);
        return node;
    }
}
