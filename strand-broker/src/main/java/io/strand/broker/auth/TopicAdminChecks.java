package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The topic checks of the admin APIs, as Kafka's KafkaApis makes them. The topics the caller may not
 * act on are taken out of the request before the handler sees it (so nothing happens to them) and
 * answered TOPIC_AUTHORIZATION_FAILED:
 * <ul>
 *   <li>CreateTopics: CREATE on the cluster, or else on each topic; a created topic's configs,
 *       partition count and replication factor are answered only with DESCRIBE_CONFIGS on it, else its
 *       topic config error is TOPIC_AUTHORIZATION_FAILED and the two counts -1.</li>
 *   <li>DeleteTopics, as Kafka's controller: DELETE on the cluster deletes any topic; else a topic
 *       named needs DESCRIBE (else TOPIC_AUTHORIZATION_FAILED), then is unknown
 *       (UNKNOWN_TOPIC_OR_PARTITION) or needs DELETE; one named by id needs DELETE, refused with its
 *       name only when the caller may describe it.</li>
 *   <li>CreatePartitions: ALTER per topic.</li>
 *   <li>DeleteRecords: DELETE per topic.</li>
 * </ul>
 */
final class TopicAdminChecks {

    private static final String AUTHORIZATION_FAILED = "Authorization failed.";

    private TopicAdminChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.CREATE_TOPICS, (Check<CreateTopicsRequest>) (context, request, handler) -> {
            boolean clusterCreate = auth.authorizeClusterFilter(context, AclOperation.CREATE);
            List<CreatableTopicResult> refused = new ArrayList<>();
            request.data().topics().removeIf(topic -> {
                if (clusterCreate) {
                    return false;
                }
                if (auth.authorize(context, AclOperation.CREATE, ResourceType.TOPIC, topic.name())) {
                    return false;
                }
                refused.add(new CreatableTopicResult().setName(topic.name())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(AUTHORIZATION_FAILED));
                return true;
            });
            return then(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, CreateTopicsResponseData::new,
                    message -> {
                        CreateTopicsResponseData response = (CreateTopicsResponseData) message;
                        for (CreatableTopicResult created : response.topics()) {
                            if (created.errorCode() == Errors.NONE.code() && !auth.authorizeFilter(context,
                                    AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, created.name())) {
                                created.setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                        .setNumPartitions(-1).setReplicationFactor((short) -1);
                                if (created.configs() != null) {
                                    created.configs().clear();
                                }
                            }
                        }
                        response.topics().addAll(refused);
                    });
        });
        checks.put(ApiKeys.DELETE_TOPICS, (Check<DeleteTopicsRequest>) (context, request, handler) -> {
            if (auth.authorizeClusterFilter(context, AclOperation.DELETE)) {
                // As Kafka's controller: DELETE on the cluster may delete (and describe) every topic.
                return handler.handle(context, request);
            }
            MetadataImage current = image.get();
            List<DeletableTopicResult> refused = new ArrayList<>();
            request.data().topicNames().removeIf(name -> {
                Errors error = deleteByNameError(auth, context, current, name);
                if (error == Errors.NONE) {
                    return false;
                }
                refused.add(deleteRefused(name, Uuid.ZERO_UUID));
                return true;
            });
            request.data().topics().removeIf((DeleteTopicState topic) -> {
                boolean byId = topic.name() == null && topic.topicId() != null
                        && !Uuid.ZERO_UUID.equals(topic.topicId());
                if (!byId) {
                    // A name beside an id is the handler's INVALID_REQUEST, before any check (as Kafka).
                    boolean withId = topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId());
                    if (topic.name() == null || withId
                            || deleteByNameError(auth, context, current, topic.name()) == Errors.NONE) {
                        return false;
                    }
                    refused.add(deleteRefused(topic.name(), Uuid.ZERO_UUID));
                    return true;
                }
                String name = current.topics().byId(topic.topicId()).map(TopicImage::name).orElse(null);
                if (name == null || auth.authorize(context, AclOperation.DELETE, ResourceType.TOPIC, name)) {
                    return false;
                }
                boolean describable = auth.authorizeFilter(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
                refused.add(deleteRefused(describable ? name : null, topic.topicId()));
                return true;
            });
            boolean nothingLeft = request.data().topicNames().isEmpty() && request.data().topics().isEmpty();
            return then(refused.isEmpty() || !nothingLeft ? handler.handle(context, request) : null,
                    DeleteTopicsResponseData::new,
                    response -> ((DeleteTopicsResponseData) response).responses().addAll(refused));
        });
        checks.put(ApiKeys.CREATE_PARTITIONS, (Check<CreatePartitionsRequest>) (context, request, handler) -> {
            List<CreatePartitionsTopicResult> refused = new ArrayList<>();
            request.data().topics().removeIf(topic -> {
                if (auth.authorize(context, AclOperation.ALTER, ResourceType.TOPIC, topic.name())) {
                    return false;
                }
                refused.add(new CreatePartitionsTopicResult().setName(topic.name())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(AUTHORIZATION_FAILED));
                return true;
            });
            return then(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, CreatePartitionsResponseData::new,
                    response -> ((CreatePartitionsResponseData) response).results().addAll(refused));
        });
        checks.put(ApiKeys.DELETE_RECORDS, (Check<DeleteRecordsRequest>) (context, request, handler) -> {
            List<DeleteRecordsTopicResult> refused = new ArrayList<>();
            request.data().topics().removeIf((DeleteRecordsTopic topic) -> {
                if (auth.authorize(context, AclOperation.DELETE, ResourceType.TOPIC, topic.name())) {
                    return false;
                }
                DeleteRecordsTopicResult result = new DeleteRecordsTopicResult().setName(topic.name());
                for (DeleteRecordsPartition p : topic.partitions()) {
                    result.partitions().add(new DeleteRecordsPartitionResult().setPartitionIndex(p.partitionIndex())
                            .setLowWatermark(-1).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                refused.add(result);
                return true;
            });
            return then(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, DeleteRecordsResponseData::new,
                    response -> ((DeleteRecordsResponseData) response).topics().addAll(refused));
        });
    }

    /**
     * Kafka's order for a topic named in DeleteTopics, without DELETE on the cluster: one the caller may
     * not describe TOPIC_AUTHORIZATION_FAILED; then one the cluster does not have left to the handler
     * (UNKNOWN_TOPIC_OR_PARTITION); then one it may not delete TOPIC_AUTHORIZATION_FAILED.
     */
    private static Errors deleteByNameError(Authorization auth, RequestContext context,
                                            MetadataImage image, String name) {
        if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
            return Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (image.topics().byName(name).isEmpty()) {
            return Errors.NONE;
        }
        return auth.authorize(context, AclOperation.DELETE, ResourceType.TOPIC, name)
                ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
    }

    private static DeletableTopicResult deleteRefused(String name, Uuid id) {
        return new DeletableTopicResult().setName(name).setTopicId(id)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(AUTHORIZATION_FAILED);
    }

    /**
     * The handler's answer (or, when {@code handled} is null because nothing was left to hand it, an
     * empty response) with the refused entries added by {@code addRefused}.
     */
    private static CompletableFuture<ApiMessage> then(CompletableFuture<? extends ApiMessage> handled,
                                                      Supplier<ApiMessage> empty,
                                                      java.util.function.Consumer<ApiMessage> addRefused) {
        CompletableFuture<? extends ApiMessage> answer = handled != null ? handled
                : CompletableFuture.completedFuture(empty.get());
        return answer.thenApply(response -> {
            addRefused.accept(response);
            return response;
        });
    }
}
