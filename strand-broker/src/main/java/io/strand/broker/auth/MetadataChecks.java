package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Metadata and DescribeTopicPartitions as Kafka's KafkaApis authorizes them.
 *
 * <p>Metadata: a topic the caller may not DESCRIBE is left out of an all-topics answer, and answered
 * TOPIC_AUTHORIZATION_FAILED (without partitions or id) when named, whether it exists or not, so its
 * existence is not disclosed. A named topic that does not exist and would be auto-created is answered
 * TOPIC_AUTHORIZATION_FAILED, and not created, unless the caller may CREATE it (on the cluster or the
 * topic). The authorized-operations fields are the caller's: a topic's supported operations it may
 * do; the cluster's likewise when it may DESCRIBE the cluster, else 0.
 *
 * <p>DescribeTopicPartitions: topics the caller may not DESCRIBE are left out when none are named and
 * answered TOPIC_AUTHORIZATION_FAILED when named; authorized operations are the caller's.
 */
final class MetadataChecks {

    private MetadataChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image,
                      boolean autoCreateTopicsEnable) {
        checks.put(ApiKeys.METADATA, (Check<MetadataRequest>) (context, request, handler) -> {
            var data = request.data();
            boolean allTopics = data.topics() == null || (request.version() == 0 && data.topics().isEmpty());
            List<MetadataResponseTopic> refused = new ArrayList<>();
            Set<String> keptNames = new HashSet<>();
            Set<Uuid> keptIds = new HashSet<>();
            if (!allTopics) {
                MetadataImage current = image.get();
                boolean mayCreate = autoCreateTopicsEnable && (request.version() < 4 || data.allowAutoTopicCreation());
                List<MetadataRequestTopic> kept = new ArrayList<>();
                for (MetadataRequestTopic wanted : data.topics()) {
                    boolean byId = wanted.topicId() != null && !Uuid.ZERO_UUID.equals(wanted.topicId());
                    String name = byId ? current.topics().byId(wanted.topicId()).map(TopicImage::name).orElse(null)
                            : wanted.name();
                    if (name == null) {
                        kept.add(wanted);
                        keptIds.add(wanted.topicId());
                        continue;
                    }
                    boolean refuse = !auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
                    if (!refuse && !byId && mayCreate && current.topics().byName(name).isEmpty()
                            && !Topic.isInternal(name)
                            && !auth.authorizeClusterFilter(context, AclOperation.CREATE)
                            && !auth.authorize(context, AclOperation.CREATE, ResourceType.TOPIC, name)) {
                        refuse = true;
                    }
                    if (refuse) {
                        refused.add(new MetadataResponseTopic().setName(byId ? null : name)
                                .setTopicId(byId ? wanted.topicId() : Uuid.ZERO_UUID)
                                .setIsInternal(Topic.isInternal(name))
                                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                    } else {
                        kept.add(wanted);
                        if (byId) {
                            keptIds.add(wanted.topicId());
                        } else {
                            keptNames.add(name);
                        }
                    }
                }
                data.setTopics(kept);
            }
            return handler.handle(context, request).thenApply(message -> {
                MetadataResponseData response = (MetadataResponseData) message;
                var topics = response.topics();
                topics.removeIf(topic -> !(allTopics
                        ? topic.name() != null
                                && auth.authorizeFilter(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())
                        : keptNames.contains(topic.name()) || keptIds.contains(topic.topicId())));
                if (data.includeTopicAuthorizedOperations()) {
                    for (MetadataResponseTopic topic : topics) {
                        if (topic.errorCode() == Errors.NONE.code()) {
                            topic.setTopicAuthorizedOperations(
                                    auth.authorizedOperations(context, ResourceType.TOPIC, topic.name()));
                        }
                    }
                }
                topics.addAll(refused);
                if (data.includeClusterAuthorizedOperations()) {
                    response.setClusterAuthorizedOperations(clusterOperations(auth, context));
                }
                return response;
            });
        });
        checks.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (Check<DescribeTopicPartitionsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    DescribeTopicPartitionsResponseData response = (DescribeTopicPartitionsResponseData) message;
                    boolean named = !request.data().topics().isEmpty();
                    List<DescribeTopicPartitionsResponseTopic> refused = new ArrayList<>();
                    response.topics().removeIf(topic -> {
                        if (topic.name() == null || (named
                                ? auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())
                                : auth.authorizeFilter(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name()))) {
                            return false;
                        }
                        if (named) {
                            refused.add(new DescribeTopicPartitionsResponseTopic().setName(topic.name())
                                    .setTopicId(Uuid.ZERO_UUID).setIsInternal(topic.isInternal())
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                        }
                        return true;
                    });
                    for (DescribeTopicPartitionsResponseTopic topic : response.topics()) {
                        if (topic.errorCode() == Errors.NONE.code() && topic.name() != null) {
                            topic.setTopicAuthorizedOperations(
                                    auth.authorizedOperations(context, ResourceType.TOPIC, topic.name()));
                        }
                    }
                    response.topics().addAll(refused);
                    return response;
                }));
    }

    static int clusterOperations(Authorization auth, io.strand.broker.network.RequestContext context) {
        return auth.authorizeCluster(context, AclOperation.DESCRIBE)
                ? auth.authorizedOperations(context, ResourceType.CLUSTER, Authorization.CLUSTER_NAME) : 0;
    }
}
