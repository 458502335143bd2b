package io.strand.broker.api.metadata;

import io.strand.broker.api.AuthorizedOperations;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.topic.TopicAutoCreator;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata (v0–13): brokers, cluster id, controller, and topics with their partitions' leaders,
 * epochs, replicas and ISR — all read from the current metadata image without locks.
 *
 * <p>Topics that do not exist are created first when the request allows it (v4+ flag; always for
 * older versions) and {@code auto.create.topics.enable} is on; the answer then already describes
 * them, so clients need no retry. Topics asked for by id (v12+) that do not exist get
 * UNKNOWN_TOPIC_ID. As in Kafka, a request naming any topic id is answered for its ids alone (names
 * beside them are neither answered nor created), each topic is answered once however often it is
 * named, and a topic that does not exist still carries {@code is_internal} by its name and, when
 * asked, the authorized operations.
 *
 * <p>As Kafka's metadata cache does, the broker list leaves out fenced brokers (a broker in controlled
 * shutdown stays listed); partitions still name their leader and replicas as registered.
 *
 * <p>The controller id is the active controller's (the metadata quorum's leader) when that node is a
 * listed broker on the request's listener, else the lowest listed (unfenced) broker id. Kafka names a random live
 * broker: its clients cannot reach the controller, and any broker forwards controller requests (here
 * too, through the controller channel).
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 13;
    /** The first version whose topics may be named by id (v10 and v11 parse the field but may not use it). */
    private static final short FIRST_TOPIC_ID_VERSION = 12;

    private final Supplier<MetadataImage> image;
    private final TopicAutoCreator autoCreator;
    private final boolean autoCreateEnabled;
    private final IntSupplier activeControllerId;
    private final Consumer<String> internalTopicCreator;

    /** Reports the lowest registered broker id as controller. */
    public MetadataHandler(Supplier<MetadataImage> image, TopicAutoCreator autoCreator, boolean autoCreateEnabled) {
        this(image, autoCreator, autoCreateEnabled, () -> -1);
    }

    /** @param activeControllerId the metadata quorum leader's node id, -1 when unknown (reported when it is a broker on the request's listener, else the lowest registered broker id) */
    public MetadataHandler(Supplier<MetadataImage> image, TopicAutoCreator autoCreator, boolean autoCreateEnabled,
                           IntSupplier activeControllerId) {
        this(image, autoCreator, autoCreateEnabled, activeControllerId, name -> { });
    }

    /**
     * @param internalTopicCreator starts, in the background, the creation of a missing internal topic a
     *                             request may create (named, auto-creation allowed and enabled), with the
     *                             internal topic's own settings; as Kafka, such a topic is still answered
     *                             UNKNOWN_TOPIC_OR_PARTITION meanwhile. Names it does not know it ignores.
     */
    public MetadataHandler(Supplier<MetadataImage> image, TopicAutoCreator autoCreator, boolean autoCreateEnabled,
                           IntSupplier activeControllerId, Consumer<String> internalTopicCreator) {
        this.image = image;
        this.autoCreator = autoCreator;
        this.autoCreateEnabled = autoCreateEnabled;
        this.activeControllerId = activeControllerId;
        this.internalTopicCreator = internalTopicCreator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    /** Reads the image; topic creation is a future of the controller. */
    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<MetadataResponseData> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        MetadataImage current = image.get();
        boolean allTopics = data.topics() == null || (request.version() == 0 && data.topics().isEmpty());
        if (allTopics) {
            return CompletableFuture.completedFuture(respond(context, data, current, List.of(), true));
        }
        if (request.version() < FIRST_TOPIC_ID_VERSION) {
            for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
                // As Kafka: versions that cannot carry a topic id or a null name refuse them (v10 and v11 parse both).
                if (topic.name() == null) {
                    throw new InvalidRequestException("Topic name can not be null for version " + request.version());
                }
                if (topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId())) {
                    throw new InvalidRequestException("Topic IDs are not supported in requests for version "
                            + request.version());
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>();
        for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
            if (topic.name() != null && current.topics().byName(topic.name()).isEmpty() && isCreatable(topic.name())
                    && !namesTopicIds(data)) {
                missing.add(topic.name());
            }
        }
        boolean mayCreate = autoCreateEnabled && (request.version() < 4 || data.allowAutoTopicCreation());
        if (mayCreate && !namesTopicIds(data)) {
            for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
                if (topic.name() != null && Topic.isInternal(topic.name())
                        && current.topics().byName(topic.name()).isEmpty()) {
                    internalTopicCreator.accept(topic.name());
                }
            }
        }
        if (missing.isEmpty() || !mayCreate) {
            return CompletableFuture.completedFuture(respond(context, data, current, data.topics(), false));
        }
        return autoCreator.create(missing)
                .thenApply(ignored -> respond(context, data, image.get(), data.topics(), false));
    }

    private static boolean isCreatable(String name) {
        try {
            Topic.validate(name);
            return !Topic.isInternal(name);
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    private MetadataResponseData respond(RequestContext context, MetadataRequestData data, MetadataImage current,
                                         List<MetadataRequestData.MetadataRequestTopic> requested, boolean allTopics) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(current.clusterId());
        for (BrokerRegistration broker : current.brokers().values()) {
            if (broker.fenced()) {
                continue;
            }
            Optional<Endpoint> endpoint = broker.endpoints().stream()
                    .filter(e -> e.listenerName().equals(context.listenerName())).findFirst();
            endpoint.ifPresent(e -> response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                    .setNodeId(broker.brokerId()).setHost(e.host()).setPort(e.port()).setRack(broker.rack())));
        }
        int active = activeControllerId.getAsInt();
        boolean activeIsListed = response.brokers().stream().anyMatch(b -> b.nodeId() == active);
        response.setControllerId(activeIsListed ? active : lowestBrokerId(current));
        if (allTopics) {
            for (TopicImage topic : current.topics().all()) {
                response.topics().add(describe(current, context.listenerName(), topic,
                        data.includeTopicAuthorizedOperations()));
            }
        } else if (namesTopicIds(data)) {
            // As Kafka: a request naming topic ids is answered for its ids alone (each once); names beside them are ignored.
            Set<Uuid> ids = new LinkedHashSet<>();
            for (MetadataRequestData.MetadataRequestTopic wanted : requested) {
                if (!Uuid.ZERO_UUID.equals(wanted.topicId())) {
                    ids.add(wanted.topicId());
                }
            }
            for (Uuid id : ids) {
                response.topics().add(describeById(current, context.listenerName(), id,
                        data.includeTopicAuthorizedOperations()));
            }
        } else {
            // As Kafka: each topic answered once, however often it is named.
            Set<String> names = new LinkedHashSet<>();
            for (MetadataRequestData.MetadataRequestTopic wanted : requested) {
                names.add(wanted.name());
            }
            for (String name : names) {
                response.topics().add(describeByName(current, context.listenerName(), name,
                        data.includeTopicAuthorizedOperations()));
            }
        }
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        return response;
    }

    /** Where the active controller is not a broker on this listener, as before there was one to name. */
    private static int lowestBrokerId(MetadataImage current) {
        return current.brokers().values().stream().filter(b -> !b.fenced())
                .mapToInt(BrokerRegistration::brokerId).min().orElse(-1);
    }

    /** Whether the request names topics by id (v12+): then only the ids count. */
    private static boolean namesTopicIds(MetadataRequestData data) {
        if (data.topics() == null) {
            return false;
        }
        for (MetadataRequestData.MetadataRequestTopic topic : data.topics()) {
            if (topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId())) {
                return true;
            }
        }
        return false;
    }

    private MetadataResponseTopic describeById(MetadataImage current, String listenerName, Uuid id,
                                               boolean includeOperations) {
        Optional<TopicImage> topic = current.topics().byId(id);
        if (topic.isEmpty()) {
            return new MetadataResponseTopic().setTopicId(id).setName(null)
                    .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
        }
        return describe(current, listenerName, topic.get(), includeOperations);
    }

    private MetadataResponseTopic describeByName(MetadataImage current, String listenerName, String name,
                                                 boolean includeOperations) {
        Optional<TopicImage> topic = name == null ? Optional.empty() : current.topics().byName(name);
        if (topic.isPresent()) {
            return describe(current, listenerName, topic.get(), includeOperations);
        }
        // As Kafka: a topic it does not have still says whether its name is an internal one, and what the
        // caller may do with it when asked.
        Errors error = isValidName(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
        return new MetadataResponseTopic().setName(name).setErrorCode(error.code())
                .setIsInternal(name != null && Topic.isInternal(name))
                .setTopicAuthorizedOperations(includeOperations ? AuthorizedOperations.TOPIC
                        : AuthorizedOperations.NOT_REQUESTED);
    }

    private static boolean isValidName(String name) {
        if (name == null) {
            return false;
        }
        try {
            Topic.validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    private static MetadataResponseTopic describe(MetadataImage current, String listenerName, TopicImage topic,
                                                  boolean includeOperations) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setTopicAuthorizedOperations(includeOperations ? AuthorizedOperations.TOPIC : AuthorizedOperations.NOT_REQUESTED);
        for (Map.Entry<Integer, PartitionRegistration> e : new TreeMap<>(topic.partitions()).entrySet()) {
            PartitionRegistration p = e.getValue();
            result.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(e.getKey())
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setOfflineReplicas(OfflineReplicas.of(current, listenerName, p)));
        }
        return result;
    }
}
