package io.strand.broker.api.admin;

import io.strand.broker.api.AdminController;
import io.strand.broker.api.configs.ConfigDescriber;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics (v2–7): forwards the topics to the controller, which applies this broker's defaults
 * ({@code num.partitions}, {@code default.replication.factor}) to counts of -1, validates, and
 * creates them (or only validates, for {@code validate_only}).
 *
 * <p>As Kafka's API layer does, a name given twice is not forwarded and gets INVALID_REQUEST
 * ("Duplicate topic name.") once, and the metadata log's own topic cannot be created. With
 * {@code timeout_ms} ≤ 0 and a topic left to forward, the whole request is REQUEST_TIMED_OUT
 * ({@link ControllerDeadline}). From v5 each
 * topic created (or validated) successfully carries its full configuration — every topic config
 * with its value, source and sensitivity, as {@link ConfigDescriber#createdTopicConfigs} computes it
 * — beside the partition count and replication factor the controller reports.
 *
 * <p>Never blocks: the response completes when the controller's future does, on its thread.
 */
final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    static final short MIN_VERSION = 2;
    static final short MAX_VERSION = 7;

    private final Supplier<MetadataImage> image;
    private final AdminController controller;
    private final ConfigDescriber describer;

    CreateTopicsHandler(Supplier<MetadataImage> image, AdminController controller, ConfigDescriber describer) {
        this.image = image;
        this.controller = controller;
        this.describer = describer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<CreateTopicsResponseData> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (CreatableTopic topic : data.topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        CreateTopicsRequestData forwarded = data.duplicate();
        boolean metadataTopicAsked = false;
        for (Iterator<CreatableTopic> it = forwarded.topics().iterator(); it.hasNext(); ) {
            String name = it.next().name();
            if (duplicates.contains(name) || Topic.CLUSTER_METADATA_TOPIC_NAME.equals(name)) {
                metadataTopicAsked |= Topic.CLUSTER_METADATA_TOPIC_NAME.equals(name);
                it.remove();
            }
        }
        if (!forwarded.topics().isEmpty() && ControllerDeadline.passed(forwarded.timeoutMs())) {
            return ControllerDeadline.timedOut(request, forwarded.timeoutMs(), CreateTopicsResponseData.class);
        }
        CompletableFuture<CreateTopicsResponseData> created = forwarded.topics().isEmpty()
                ? CompletableFuture.completedFuture(new CreateTopicsResponseData())
                : controller.createTopics(forwarded);
        boolean withConfigs = request.version() >= 5;
        boolean rejectMetadataTopic = metadataTopicAsked && !duplicates.contains(Topic.CLUSTER_METADATA_TOPIC_NAME);
        return created.thenApply(response -> {
            if (withConfigs) {
                addConfigs(data, response);
            }
            for (String name : duplicates) {
                response.topics().add(rejected(name, "Duplicate topic name."));
            }
            if (rejectMetadataTopic) {
                response.topics().add(rejected(Topic.CLUSTER_METADATA_TOPIC_NAME,
                        "Creation of internal topic " + Topic.CLUSTER_METADATA_TOPIC_NAME + " is prohibited."));
            }
            return response;
        });
    }

    private void addConfigs(CreateTopicsRequestData data, CreateTopicsResponseData response) {
        MetadataImage current = image.get();
        for (CreatableTopicResult result : response.topics()) {
            CreatableTopic asked = data.topics().find(result.name());
            if (result.errorCode() == Errors.NONE.code() && asked != null) {
                result.setConfigs(describer.createdTopicConfigs(current, overrides(asked)));
            }
        }
    }

    private static Map<String, String> overrides(CreatableTopic topic) {
        Map<String, String> overrides = new HashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            if (config.value() != null) {
                overrides.put(config.name(), config.value());
            }
        }
        return overrides;
    }

    private static CreatableTopicResult rejected(String name, String message) {
        return new CreatableTopicResult().setName(name).setErrorCode(Errors.INVALID_REQUEST.code())
                .setErrorMessage(message);
    }
}
