package io.strand.broker.api.quota;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.network.WrappingApiHandler;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.ControllerMutationQuota;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * Applies the {@code controller_mutation_rate} quota (KIP-599) in front of the CreateTopics,
 * CreatePartitions and DeleteTopics handlers, which it wraps unchanged: each topic's partitions (those
 * asked for, those added, those deleted) are taken from the client's bucket in request order
 * ({@link ControllerMutationQuota}); a topic refused by a strict quota is left out of the request the
 * wrapped handler sees and answered THROTTLING_QUOTA_EXCEEDED ("The throttling quota has been
 * exceeded."), and the response carries the throttle time, which mutes the connection for as long.
 * Strict from CreateTopics v6, CreatePartitions v3, DeleteTopics v5, as Kafka; older versions are
 * only throttled.
 *
 * <p>Differences from Kafka, whose controller applies the quota: the bucket is this broker's, not the
 * active controller's, and a topic is charged before the controller validates it (Kafka charges only
 * topics it goes on to create or delete). A topic unknown to this broker's image costs nothing to
 * delete or extend.
 *
 * <p>Stateless apart from the quota manager; thread-safe.
 */
public final class ControllerMutationThrottling {

    static final short CREATE_TOPICS_STRICT_VERSION = 6;
    static final short CREATE_PARTITIONS_STRICT_VERSION = 3;
    static final short DELETE_TOPICS_STRICT_VERSION = 5;

    private ControllerMutationThrottling() {
    }

    /**
     * {@code handler} itself, or for CreateTopics, CreatePartitions and DeleteTopics the same handler
     * behind the quota.
     *
     * @param defaultPartitions the partition count of a topic created without one ({@code num.partitions})
     */
    @SuppressWarnings("unchecked")
    public static ApiHandler<?> wrap(ApiHandler<?> handler, ClientQuotaManager quota, Supplier<MetadataImage> image,
                                     IntSupplier defaultPartitions) {
        return switch (handler.apiKey()) {
            case CREATE_TOPICS -> new Throttled<>((ApiHandler<CreateTopicsRequest>) handler, quota,
                    CREATE_TOPICS_STRICT_VERSION,
                    (request, q, refused) -> createTopics(request, q, refused, defaultPartitions),
                    (response, refused, throttleTimeMs) -> {
                        CreateTopicsResponseData data = (CreateTopicsResponseData) response;
                        refused.forEach(name -> data.topics().add(new CreatableTopicResult().setName((String) name)
                                .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code())
                                .setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message())));
                        data.setThrottleTimeMs(Math.max(data.throttleTimeMs(), throttleTimeMs));
                    });
            case CREATE_PARTITIONS -> new Throttled<>((ApiHandler<CreatePartitionsRequest>) handler, quota,
                    CREATE_PARTITIONS_STRICT_VERSION,
                    (request, q, refused) -> createPartitions(request, q, refused, image.get()),
                    (response, refused, throttleTimeMs) -> {
                        CreatePartitionsResponseData data = (CreatePartitionsResponseData) response;
                        refused.forEach(name -> data.results().add(new CreatePartitionsTopicResult().setName((String) name)
                                .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code())
                                .setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message())));
                        data.setThrottleTimeMs(Math.max(data.throttleTimeMs(), throttleTimeMs));
                    });
            case DELETE_TOPICS -> new Throttled<>((ApiHandler<DeleteTopicsRequest>) handler, quota,
                    DELETE_TOPICS_STRICT_VERSION,
                    (request, q, refused) -> deleteTopics(request, q, refused, image.get()),
                    (response, refused, throttleTimeMs) -> {
                        DeleteTopicsResponseData data = (DeleteTopicsResponseData) response;
                        refused.forEach(topic -> data.responses().add(new DeletableTopicResult()
                                .setName(((DeleteTopicState) topic).name())
                                .setTopicId(((DeleteTopicState) topic).topicId())
                                .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code())
                                .setErrorMessage(Errors.THROTTLING_QUOTA_EXCEEDED.message())));
                        data.setThrottleTimeMs(Math.max(data.throttleTimeMs(), throttleTimeMs));
                    });
            default -> handler;
        };
    }

    /** Takes each topic's partitions; the request without the refused topics, which go to {@code refused}. */
    private static CreateTopicsRequest createTopics(CreateTopicsRequest request, ControllerMutationQuota quota,
                                                   List<Object> refused, IntSupplier defaultPartitions) {
        CreateTopicsRequestData data = request.data().duplicate();
        for (Iterator<CreatableTopic> it = data.topics().iterator(); it.hasNext(); ) {
            CreatableTopic topic = it.next();
            int partitions = topic.numPartitions() > 0 ? topic.numPartitions()
                    : !topic.assignments().isEmpty() ? topic.assignments().size() : defaultPartitions.getAsInt();
            if (!quota.tryAcquire(partitions)) {
                refused.add(topic.name());
                it.remove();
            }
        }
        return refused.isEmpty() ? request : new CreateTopicsRequest(data, request.version());
    }

    private static CreatePartitionsRequest createPartitions(CreatePartitionsRequest request,
                                                           ControllerMutationQuota quota, List<Object> refused,
                                                           MetadataImage image) {
        CreatePartitionsRequestData data = request.data().duplicate();
        for (Iterator<CreatePartitionsTopic> it = data.topics().iterator(); it.hasNext(); ) {
            CreatePartitionsTopic topic = it.next();
            int existing = image.topics().byName(topic.name()).map(t -> t.partitions().size()).orElse(topic.count());
            if (!quota.tryAcquire(Math.max(0, topic.count() - existing))) {
                refused.add(topic.name());
                it.remove();
            }
        }
        return refused.isEmpty() ? request : new CreatePartitionsRequest.Builder(data).build(request.version());
    }

    private static DeleteTopicsRequest deleteTopics(DeleteTopicsRequest request, ControllerMutationQuota quota,
                                                   List<Object> refused, MetadataImage image) {
        DeleteTopicsRequestData data = request.data().duplicate();
        for (Iterator<String> it = data.topicNames().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!quota.tryAcquire(partitions(image.topics().byName(name)))) {
                refused.add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
                it.remove();
            }
        }
        for (Iterator<DeleteTopicState> it = data.topics().iterator(); it.hasNext(); ) {
            DeleteTopicState topic = it.next();
            Optional<TopicImage> known = topic.name() != null ? image.topics().byName(topic.name())
                    : image.topics().byId(topic.topicId());
            if (!quota.tryAcquire(partitions(known))) {
                refused.add(topic);
                it.remove();
            }
        }
        return refused.isEmpty() ? request : new DeleteTopicsRequest.Builder(data).build(request.version());
    }

    private static int partitions(Optional<TopicImage> topic) {
        return topic.map(t -> t.partitions().size()).orElse(0);
    }

    /** Filters a request through the quota: returns the request to serve, adds the refused topics. */
    @FunctionalInterface
    private interface Filter<R> {
        R apply(R request, ControllerMutationQuota quota, List<Object> refused);
    }

    /** Adds the refused topics' answers and the throttle time to the wrapped handler's response. */
    @FunctionalInterface
    private interface Completion {
        void apply(ApiMessage response, List<?> refused, int throttleTimeMs);
    }

    private static final class Throttled<R extends AbstractRequest> implements WrappingApiHandler<R> {
        private final ApiHandler<R> handler;
        private final ClientQuotaManager quota;
        private final short strictVersion;
        private final Filter<R> filter;
        private final Completion completion;

        Throttled(ApiHandler<R> handler, ClientQuotaManager quota, short strictVersion, Filter<R> filter,
                  Completion completion) {
            this.handler = handler;
            this.quota = quota;
            this.strictVersion = strictVersion;
            this.filter = filter;
            this.completion = completion;
        }

        @Override
        public ApiHandler<R> handler() {
            return handler;
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request) {
            ControllerMutationQuota mutations = quota.newControllerMutationQuota(context.principal(),
                    context.clientId(), request.version() >= strictVersion);
            if (mutations == ControllerMutationQuota.UNBOUNDED) {
                return handler.handle(context, request);
            }
            List<Object> refused = new ArrayList<>();
            R served = filter.apply(request, mutations, refused);
            return handler.handle(context, served).thenApply(response -> {
                completion.apply(response, refused, mutations.throttleTimeMs());
                return response;
            });
        }
    }
}
