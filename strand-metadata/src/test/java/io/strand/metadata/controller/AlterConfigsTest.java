package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.broker;
import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.config.GroupConfigs;
import io.strand.metadata.image.LocalMetadataLog;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlterConfigsTest {

    private static final ConfigResource TOPIC = new ConfigResource(ConfigResource.Type.TOPIC, "t");
    private static final ConfigResource CLUSTER = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final Predicate<String> DYNAMIC = Set.of("log.retention.ms", "log.cleaner.threads")::contains;

    private final LocalMetadataLog metadataLog = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(3));

    @BeforeEach
    void createTopic() {
        get(controller.registerBroker(broker(1)));
        get(controller.createTopics(ControllerTestSupport.createTopics(
                withConfig(topic("t", 1, 1), "retention.ms", "1000")), ControllerDefaults.SINGLE_NODE));
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private static AlterConfigsResource resource(ConfigResource resource, Object... opNameValue) {
        AlterConfigsResource r = new AlterConfigsResource().setResourceType(resource.type().id())
                .setResourceName(resource.name());
        for (int i = 0; i < opNameValue.length; i += 3) {
            r.configs().add(new AlterableConfig().setConfigOperation(((OpType) opNameValue[i]).id())
                    .setName((String) opNameValue[i + 1]).setValue((String) opNameValue[i + 2]));
        }
        return r;
    }

    private AlterConfigsResourceResponse incremental(boolean validateOnly, AlterConfigsResource... resources) {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        for (AlterConfigsResource r : resources) {
            request.resources().add(r);
        }
        IncrementalAlterConfigsResponseData response = get(controller.incrementalAlterConfigs(request, DYNAMIC));
        return response.responses().get(0);
    }

    @Test
    void setAndDeleteChangeOnlyTheNamedOverrides() {
        AlterConfigsResourceResponse response = incremental(false, resource(TOPIC,
                OpType.SET, "segment.ms", "60000", OpType.DELETE, "retention.ms", null));

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(TOPIC)).isEqualTo(Map.of("segment.ms", "60000"));
    }

    @Test
    void appendStartsFromTheDefaultAndSubtractRemoves() {
        assertThat(incremental(false, resource(TOPIC, OpType.APPEND, "cleanup.policy", "compact")).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(TOPIC)).containsEntry("cleanup.policy", "delete,compact");

        assertThat(incremental(false, resource(TOPIC, OpType.SUBTRACT, "cleanup.policy", "delete")).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(TOPIC)).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void appendToABrokerListStartsFromThePropertysDefault() {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData();
        request.resources().add(resource(CLUSTER, OpType.APPEND, "log.cleanup.policy", "compact"));
        Predicate<String> list = "log.cleanup.policy"::equals;

        IncrementalAlterConfigsResponseData response = get(controller.incrementalAlterConfigs(request, list, list));

        assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(CLUSTER)).containsEntry("log.cleanup.policy", "delete,compact");
    }

    @Test
    void aTopicsEmptyNameIsRefusedOnlyAfterTheOperationsAsInKafkasController() {
        ConfigResource defaultTopic = new ConfigResource(ConfigResource.Type.TOPIC, "");

        AlterConfigsResourceResponse append = incremental(false,
                resource(defaultTopic, OpType.APPEND, "retention.ms", "5"));
        AlterConfigsResourceResponse set = incremental(false, resource(defaultTopic, OpType.SET, "retention.ms", "5"));

        assertThat(append.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(set.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(set.errorMessage()).isEqualTo("Default topic resources are not allowed.");
    }

    @Test
    void appendToANonListIsInvalidConfig() {
        AlterConfigsResourceResponse response = incremental(false, resource(TOPIC, OpType.APPEND, "retention.ms", "5"));
        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(response.errorMessage()).isEqualTo("Can't APPEND to key retention.ms because its type is not LIST.");
    }

    @Test
    void badValueIsInvalidConfigAndChangesNothing() {
        AlterConfigsResourceResponse response = incremental(false, resource(TOPIC,
                OpType.SET, "segment.ms", "60000", OpType.SET, "retention.ms", "forever"));

        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(response.errorMessage()).contains("retention.ms");
        assertThat(metadataLog.image().configs(TOPIC)).isEqualTo(Map.of("retention.ms", "1000"));
    }

    @Test
    void unknownTopicIsUnknownTopicOrPartition() {
        AlterConfigsResourceResponse response = incremental(false, resource(
                new ConfigResource(ConfigResource.Type.TOPIC, "ghost"), OpType.SET, "retention.ms", "5"));
        assertThat(response.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(response.errorMessage()).isEqualTo("The topic 'ghost' does not exist.");
    }

    @Test
    void groupConfigsAreStoredWithoutTheGroupAndCheckedAsAWholeAfterTheChange() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "g");
        assertThat(incremental(false, resource(group, OpType.SET, "share.auto.offset.reset", "earliest",
                OpType.SET, "share.record.lock.duration.ms", "20000")).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(group)).isEqualTo(Map.of("share.auto.offset.reset", "earliest",
                "share.record.lock.duration.ms", "20000"));

        AlterConfigsResourceResponse tooLong = incremental(false, resource(group,
                OpType.DELETE, "share.auto.offset.reset", null, OpType.SET, "share.record.lock.duration.ms", "61000"));
        assertThat(tooLong.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(tooLong.errorMessage()).isEqualTo("share.record.lock.duration.ms must be less than or equal to "
                + "group.share.max.record.lock.duration.ms");
        assertThat(metadataLog.image().configs(group)).as("unchanged").hasSize(2);

        assertThat(incremental(false, resource(group, OpType.DELETE, "share.auto.offset.reset", null)).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(group)).isEqualTo(Map.of("share.record.lock.duration.ms", "20000"));
    }

    @Test
    void aGroupConfigIsCheckedWithinTheBoundsTheNodeGives() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "g");
        GroupConfigs.Bounds narrow = new GroupConfigs.Bounds(Map.of(), List.of(new GroupConfigs.Range(
                "share.delivery.count.limit", "group.share.min.delivery.count.limit", 3,
                "group.share.max.delivery.count.limit", 4)));
        IncrementalAlterConfigsResponseData response = get(controller.incrementalAlterConfigs(
                new IncrementalAlterConfigsRequestData().setResources(new IncrementalAlterConfigsRequestData
                        .AlterConfigsResourceCollection(List.of(resource(group, OpType.SET,
                                "share.delivery.count.limit", "5")).iterator())), DYNAMIC, name -> false, narrow));
        assertThat(response.responses().get(0).errorMessage()).isEqualTo("share.delivery.count.limit must be less "
                + "than or equal to group.share.max.delivery.count.limit");
    }

    @Test
    void anEmptyGroupNameAndAnUnknownGroupConfigAreRefused() {
        AlterConfigsResourceResponse unnamed = incremental(false, resource(new ConfigResource(ConfigResource.Type.GROUP,
                ""), OpType.SET, "share.auto.offset.reset", "earliest"));
        assertThat(unnamed.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(unnamed.errorMessage()).isEqualTo("Default group resources are not allowed.");
        AlterConfigsResourceResponse unknown = incremental(false, resource(new ConfigResource(ConfigResource.Type.GROUP,
                "g"), OpType.SET, "retention.ms", "1"));
        assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(unknown.errorMessage()).isEqualTo("Unknown group config name: retention.ms");
    }

    @Test
    void dynamicBrokerConfigIsStoredForTheClusterAndOneBroker() {
        ConfigResource broker1 = new ConfigResource(ConfigResource.Type.BROKER, "1");
        assertThat(incremental(false, resource(CLUSTER, OpType.SET, "log.retention.ms", "5")).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(incremental(false, resource(broker1, OpType.SET, "log.cleaner.threads", "2")).errorCode())
                .isEqualTo(Errors.NONE.code());

        assertThat(metadataLog.image().configs(CLUSTER)).isEqualTo(Map.of("log.retention.ms", "5"));
        assertThat(metadataLog.image().configs(broker1)).isEqualTo(Map.of("log.cleaner.threads", "2"));
    }

    @Test
    void staticBrokerConfigIsInvalidRequest() {
        AlterConfigsResourceResponse response = incremental(false, resource(CLUSTER, OpType.SET, "log.dirs", "/x"));
        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(response.errorMessage()).isEqualTo("Cannot update these configs dynamically: Set(log.dirs)");
        assertThat(metadataLog.image().configs(CLUSTER)).isEmpty();
    }

    @Test
    void deletingABrokerConfigThatCannotBeSetChangesNothingAndSucceeds() {
        // What kafka-reassign-partitions --verify sends to clear replication throttles.
        AlterConfigsResourceResponse response = incremental(false,
                resource(CLUSTER, OpType.DELETE, "leader.replication.throttled.rate", null));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(CLUSTER)).isEmpty();
        assertThat(incremental(false, resource(CLUSTER, OpType.SET, "leader.replication.throttled.rate", "1"))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void unregisteredOrMalformedBrokerIsRefused() {
        AlterConfigsResourceResponse unknown = incremental(false, resource(
                new ConfigResource(ConfigResource.Type.BROKER, "7"), OpType.SET, "log.retention.ms", "5"));
        AlterConfigsResourceResponse malformed = incremental(false, resource(
                new ConfigResource(ConfigResource.Type.BROKER, "one"), OpType.SET, "log.retention.ms", "5"));

        assertThat(unknown.errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
        assertThat(malformed.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void repeatedResourceIsInvalidRequest() {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData();
        request.resources().add(resource(TOPIC, OpType.SET, "segment.ms", "60000"));
        request.resources().add(resource(TOPIC, OpType.SET, "segment.ms", "70000"));
        IncrementalAlterConfigsResponseData response = get(controller.incrementalAlterConfigs(request, DYNAMIC));

        assertThat(response.responses()).extracting(AlterConfigsResourceResponse::errorCode)
                .containsExactly(Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code());
        assertThat(metadataLog.image().configs(TOPIC)).doesNotContainKey("segment.ms");
    }

    @Test
    void validateOnlyStoresNothing() {
        AlterConfigsResourceResponse response = incremental(true, resource(TOPIC, OpType.SET, "segment.ms", "60000"));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(TOPIC)).isEqualTo(Map.of("retention.ms", "1000"));
    }

    private AlterConfigsResponseData.AlterConfigsResourceResponse legacy(ConfigResource resource,
                                                                        String... nameValue) {
        AlterConfigsRequestData request = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource r = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(resource.type().id()).setResourceName(resource.name());
        for (int i = 0; i < nameValue.length; i += 2) {
            r.configs().add(new AlterConfigsRequestData.AlterableConfig().setName(nameValue[i])
                    .setValue(nameValue[i + 1]));
        }
        request.resources().add(r);
        return get(controller.legacyAlterConfigs(request, DYNAMIC)).responses().get(0);
    }

    @Test
    void legacyAlterReplacesAllOverrides() {
        assertThat(legacy(TOPIC, "segment.ms", "60000").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(TOPIC)).isEqualTo(Map.of("segment.ms", "60000"));
    }

    @Test
    void legacyAlterRefusesStaticBrokerConfigsUnknownTopicsAndBadValues() {
        assertThat(legacy(CLUSTER, "log.dirs", "/x").errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(legacy(new ConfigResource(ConfigResource.Type.TOPIC, "ghost"), "retention.ms", "1").errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(legacy(TOPIC, "retention.ms", "x").errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(legacy(TOPIC, "retention.ms", null).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(metadataLog.image().configs(TOPIC)).isEqualTo(Map.of("retention.ms", "1000"));
        assertThat(legacy(CLUSTER, "log.retention.ms", "9").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(CLUSTER)).isEqualTo(Map.of("log.retention.ms", "9"));
    }
}
