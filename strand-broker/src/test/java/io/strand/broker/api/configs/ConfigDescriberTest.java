package io.strand.broker.api.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.TestImages;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.GroupConfigs;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

public class ConfigDescriberTest {

    private static final BrokerConfig DEFAULTS = BrokerConfig.defaults();
    private static final BrokerConfig STATIC = BrokerConfig.of(Map.of(
            "log.retention.hours", "100", "num.partitions", "3", "log.cleanup.policy", "delete"));

    private static final MetadataImage ONE_TOPIC = TestImages.builder().broker(1).topic("orders", 1, 1).build();

    @Test
    void topicCreatedCompactDescribesAsExactlyCompact() {
        MetadataImage image = TestImages.builder().broker(1).topic("connect-offsets", 1, 1)
                .topicConfig("connect-offsets", "cleanup.policy", "compact").build();

        DescribeConfigsResourceResult policy = entry(describeTopic(DEFAULTS, image, "connect-offsets"), "cleanup.policy");

        assertThat(policy.value()).isEqualTo("compact");
        assertThat(policy.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(synonyms(policy)).containsExactly("TOPIC_CONFIG:cleanup.policy=compact",
                "DEFAULT_CONFIG:log.cleanup.policy=delete");
        assertThat(policy.readOnly()).isFalse();
        assertThat(policy.isSensitive()).isFalse();
    }

    @Test
    void overrideValuesAreNormalizedAsKafkaPrintsThem() {
        MetadataImage image = TestImages.builder().broker(1).topic("t", 1, 1)
                .topicConfig("t", "cleanup.policy", "compact, delete").topicConfig("t", "retention.ms", " 1000 ").build();

        DescribeConfigsResult result = describeTopic(DEFAULTS, image, "t");

        assertThat(entry(result, "cleanup.policy").value()).isEqualTo("compact,delete");
        assertThat(entry(result, "retention.ms").value()).isEqualTo("1000");
    }

    @Test
    void topicWithoutOverridesReportsKafkasDefaults() {
        DescribeConfigsResult result = describeTopic(DEFAULTS, ONE_TOPIC, "orders");

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).extracting(DescribeConfigsResourceResult::name)
                .containsExactlyInAnyOrderElementsOf(TopicConfigs.names()).isSorted();
        DescribeConfigsResourceResult policy = entry(result, "cleanup.policy");
        assertThat(policy.value()).isEqualTo("delete");
        assertThat(policy.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(synonyms(policy)).containsExactly("DEFAULT_CONFIG:log.cleanup.policy=delete");
        assertThat(synonyms(entry(result, "segment.bytes"))).containsExactly("DEFAULT_CONFIG:log.segment.bytes=1073741824");
        DescribeConfigsResourceResult retention = entry(result, "retention.ms");
        assertThat(retention.value()).isEqualTo("604800000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(retention.synonyms()).isEmpty();
    }

    @Test
    void brokerPropertySetInServerConfigIsStaticBrokerConfig() {
        DescribeConfigsResourceResult policy = entry(describeTopic(STATIC, ONE_TOPIC, "orders"), "cleanup.policy");

        assertThat(policy.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(synonyms(policy)).containsExactly("STATIC_BROKER_CONFIG:log.cleanup.policy=delete",
                "DEFAULT_CONFIG:log.cleanup.policy=delete");
    }

    @Test
    void retentionSetInHoursIsConvertedButReportedAsDefaultLikeKafka() {
        DescribeConfigsResourceResult retention = entry(describeTopic(STATIC, ONE_TOPIC, "orders"), "retention.ms");

        assertThat(retention.value()).isEqualTo("360000000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(retention.synonyms()).isEmpty();
    }

    @Test
    void synonymsListTheMostSpecificLayerFirst() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.retention.ms", "3000"));
        MetadataImage image = TestImages.builder().broker(1).topic("t", 1, 1)
                .brokerConfig("1", "log.retention.ms", "1000")
                .brokerConfig("", "log.retention.ms", "2000")
                .brokerConfig("2", "log.retention.ms", "9999")
                .build();

        DescribeConfigsResourceResult retention = entry(describeTopic(config, image, "t"), "retention.ms");

        assertThat(retention.value()).isEqualTo("1000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(synonyms(retention)).containsExactly("DYNAMIC_BROKER_CONFIG:log.retention.ms=1000",
                "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000", "STATIC_BROKER_CONFIG:log.retention.ms=3000",
                "DEFAULT_CONFIG:log.retention.hours=168");
    }

    @Test
    void topicOverrideWinsOverDynamicBrokerDefault() {
        MetadataImage image = TestImages.builder().broker(1).topic("t", 1, 1)
                .brokerConfig("", "log.retention.ms", "2000").topicConfig("t", "retention.ms", "5").build();

        DescribeConfigsResourceResult retention = entry(describeTopic(DEFAULTS, image, "t"), "retention.ms");

        assertThat(retention.value()).isEqualTo("5");
        assertThat(synonyms(retention)).containsExactly("TOPIC_CONFIG:retention.ms=5",
                "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000", "DEFAULT_CONFIG:log.retention.hours=168");
    }

    @Test
    void clusterDefaultInCoarserUnitSetsValueInTopicUnit() {
        MetadataImage image = TestImages.builder().broker(1).topic("t", 1, 1)
                .brokerConfig("", "log.roll.hours", "2").build();

        assertThat(entry(describeTopic(DEFAULTS, image, "t"), "segment.ms").value()).isEqualTo("7200000");
    }

    @Test
    void onlyTheRequestedKeysAreDescribed() {
        ConfigDescriber describer = new ConfigDescriber(DEFAULTS);

        DescribeConfigsResult some = describer.describe(ONE_TOPIC, resource(ConfigResource.Type.TOPIC, "orders",
                List.of("retention.ms", "no.such.config")), true, false);
        DescribeConfigsResult empty = describer.describe(ONE_TOPIC, resource(ConfigResource.Type.TOPIC, "orders",
                List.of()), true, false);

        assertThat(some.configs()).extracting(DescribeConfigsResourceResult::name).containsExactly("retention.ms");
        assertThat(empty.configs()).hasSize(TopicConfigs.names().size());
    }

    @Test
    void synonymsAreLeftOutUnlessAskedForButTheSourceStays() {
        DescribeConfigsResult result = new ConfigDescriber(STATIC).describe(ONE_TOPIC,
                resource(ConfigResource.Type.TOPIC, "orders", null), false, false);

        DescribeConfigsResourceResult policy = entry(result, "cleanup.policy");
        assertThat(policy.synonyms()).isEmpty();
        assertThat(policy.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
    }

    @Test
    void typesAlwaysAndDocumentationOnRequest() {
        ConfigDescriber describer = new ConfigDescriber(DEFAULTS);
        DescribeConfigsResource orders = resource(ConfigResource.Type.TOPIC, "orders", null);

        DescribeConfigsResult withDocs = describer.describe(ONE_TOPIC, orders, false, true);
        DescribeConfigsResult withoutDocs = describer.describe(ONE_TOPIC, orders, false, false);

        assertThat(entry(withDocs, "retention.ms").configType()).isEqualTo(ConfigType.LONG.id());
        assertThat(entry(withDocs, "cleanup.policy").configType()).isEqualTo(ConfigType.LIST.id());
        assertThat(entry(withDocs, "preallocate").configType()).isEqualTo(ConfigType.BOOLEAN.id());
        assertThat(entry(withDocs, "retention.ms").documentation())
                .isEqualTo(TopicConfigs.DEF.configKeys().get("retention.ms").documentation);
        assertThat(withoutDocs.configs()).allSatisfy(c -> assertThat(c.documentation()).isNull());
    }

    @Test
    void unknownTopicIsUnknownTopicOrPartition() {
        DescribeConfigsResult result = describeTopic(DEFAULTS, ONE_TOPIC, "missing");

        assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(result.configs()).isEmpty();
        assertThat(result.resourceName()).isEqualTo("missing");
        assertThat(result.resourceType()).isEqualTo(ConfigResource.Type.TOPIC.id());
    }

    @Test
    void illegalTopicNameIsInvalidTopic() {
        DescribeConfigsResult result = describeTopic(DEFAULTS, ONE_TOPIC, "bad name");

        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(result.errorMessage()).contains("Topic name is invalid");
    }

    @Test
    void thisBrokerDescribesEveryPropertyWithItsCurrentValue() {
        MetadataImage image = TestImages.builder().broker(1).brokerConfig("1", "log.retention.ms", "5000").build();

        DescribeConfigsResult result = describe(STATIC, image, ConfigResource.Type.BROKER, "1");

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).extracting(DescribeConfigsResourceResult::name)
                .containsExactlyInAnyOrderElementsOf(BrokerConfig.DEF.names()).isSorted();
        DescribeConfigsResourceResult partitions = entry(result, "num.partitions");
        assertThat(partitions.value()).isEqualTo("3");
        assertThat(partitions.readOnly()).isTrue();
        assertThat(partitions.configType()).isEqualTo(ConfigType.INT.id());
        assertThat(synonyms(partitions)).containsExactly("STATIC_BROKER_CONFIG:num.partitions=3",
                "DEFAULT_CONFIG:num.partitions=1");
        DescribeConfigsResourceResult retention = entry(result, "log.retention.ms");
        assertThat(retention.value()).isEqualTo("5000");
        assertThat(retention.readOnly()).isFalse();
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(synonyms(retention)).containsExactly("DYNAMIC_BROKER_CONFIG:log.retention.ms=5000",
                "STATIC_BROKER_CONFIG:log.retention.hours=100", "DEFAULT_CONFIG:log.retention.hours=168");
        assertThat(entry(result, "log.retention.hours").value()).isEqualTo("100");
        assertThat(entry(result, "log.retention.minutes").value()).isNull();
        DescribeConfigsResourceResult compression = entry(result, "compression.type");
        assertThat(compression.value()).isEqualTo("producer");
        assertThat(compression.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
    }

    @Test
    void brokerIdIsTheNodeIdSetStaticallyAndAnUnknownDynamicPropertyIsListedAsSensitive() {
        MetadataImage image = TestImages.builder().broker(1).brokerConfig("1", "plugin.setting", "x").build();

        DescribeConfigsResult result = describe(DEFAULTS, image, ConfigResource.Type.BROKER, "1");

        DescribeConfigsResourceResult brokerId = entry(result, "broker.id");
        assertThat(brokerId.value()).isEqualTo("1");
        assertThat(brokerId.readOnly()).isTrue();
        assertThat(brokerId.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(synonyms(brokerId)).containsExactly("STATIC_BROKER_CONFIG:broker.id=1",
                "DEFAULT_CONFIG:broker.id=-1");
        DescribeConfigsResourceResult plugin = entry(result, "plugin.setting");
        assertThat(plugin.value()).isNull();
        assertThat(plugin.isSensitive()).isTrue();
        assertThat(plugin.readOnly()).isTrue();
        assertThat(plugin.configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
    }

    @Test
    void flushMsHasNoBrokerDefaultToListAsItsSynonym() {
        DescribeConfigsResult topic = describeTopic(DEFAULTS, ONE_TOPIC, "orders");
        DescribeConfigsResult broker = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER, "1");

        assertThat(entry(topic, "flush.ms").value()).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(entry(topic, "flush.ms").synonyms()).isEmpty();
        assertThat(synonyms(entry(topic, "flush.messages")))
                .containsExactly("DEFAULT_CONFIG:log.flush.interval.messages=" + Long.MAX_VALUE);
        assertThat(entry(broker, "log.flush.interval.ms").value()).isNull();
    }

    @Test
    void clusterDefaultResourceListsOnlyTheDynamicDefaults() {
        MetadataImage image = TestImages.builder().broker(1)
                .brokerConfig("", "log.retention.ms", "2000").brokerConfig("1", "log.retention.ms", "1000").build();

        DescribeConfigsResult result = describe(STATIC, image, ConfigResource.Type.BROKER, "");

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).hasSize(1);
        DescribeConfigsResourceResult retention = result.configs().get(0);
        assertThat(retention.name()).isEqualTo("log.retention.ms");
        assertThat(retention.value()).isEqualTo("2000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(synonyms(retention)).containsExactly("DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000");
    }

    @Test
    void anotherBrokersIdIsAnInvalidRequest() {
        DescribeConfigsResult other = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER, "2");
        DescribeConfigsResult notANumber = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER, "x");

        assertThat(other.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(other.errorMessage()).isEqualTo("Unexpected broker id, expected 1 or empty string, but received 2");
        assertThat(notANumber.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(notANumber.errorMessage()).isEqualTo("Broker id must be an integer, but it is: x");
        assertThat(other.resourceName()).isEqualTo("2");
    }

    @Test
    void brokerLoggersOfThisNodeAreAnEmptyListAndOthersAnError() {
        DescribeConfigsResult own = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER_LOGGER, "1");
        DescribeConfigsResult other = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER_LOGGER, "2");
        DescribeConfigsResult empty = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.BROKER_LOGGER, "");

        assertThat(own.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(own.configs()).isEmpty();
        assertThat(other.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(other.errorMessage()).isEqualTo("Unexpected broker id, expected 1 but received 2");
        assertThat(empty.errorMessage()).isEqualTo("Broker id must not be empty");
    }

    @Test
    void aGroupListsEveryGroupConfigWithItsOverrideElseTheBrokersValue() {
        MetadataImage image = TestImages.builder().broker(1)
                .groupConfig("g", "share.auto.offset.reset", "earliest")
                .groupConfig("g", "share.record.lock.duration.ms", "20000").build();
        BrokerConfig node = BrokerConfig.of(Map.of("group.share.session.timeout.ms", "50000"),
                List.of(io.strand.coordinator.group.GroupCoordinatorConfig.DEF));

        DescribeConfigsResult result = describe(node, image, ConfigResource.Type.GROUP, "g");

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs()).extracting(DescribeConfigsResourceResult::name)
                .containsExactlyInAnyOrderElementsOf(GroupConfigs.names()).isSorted();
        DescribeConfigsResourceResult reset = entry(result, "share.auto.offset.reset");
        assertThat(reset.value()).isEqualTo("earliest");
        assertThat(reset.configSource()).isEqualTo(ConfigSource.GROUP_CONFIG.id());
        assertThat(synonyms(reset)).containsExactly("GROUP_CONFIG:share.auto.offset.reset=earliest",
                "DEFAULT_CONFIG:share.auto.offset.reset=latest");
        DescribeConfigsResourceResult lock = entry(result, "share.record.lock.duration.ms");
        assertThat(lock.value()).isEqualTo("20000");
        assertThat(synonyms(lock)).containsExactly("GROUP_CONFIG:share.record.lock.duration.ms=20000",
                "DEFAULT_CONFIG:group.share.record.lock.duration.ms=30000");
        DescribeConfigsResourceResult session = entry(result, "share.session.timeout.ms");
        assertThat(session.value()).isEqualTo("50000");
        assertThat(session.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(synonyms(session)).containsExactly("STATIC_BROKER_CONFIG:group.share.session.timeout.ms=50000",
                "DEFAULT_CONFIG:group.share.session.timeout.ms=45000");
        DescribeConfigsResourceResult isolation = entry(describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.GROUP,
                "other"), "share.isolation.level");
        assertThat(isolation.value()).isEqualTo("read_uncommitted");
        assertThat(isolation.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(isolation.readOnly()).isFalse();
    }

    @Test
    void aGroupWithoutANameIsInvalidRequest() {
        DescribeConfigsResult group = describe(DEFAULTS, ONE_TOPIC, ConfigResource.Type.GROUP, "");

        assertThat(group.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(group.errorMessage()).isEqualTo("Group name must not be empty");
    }

    @Test
    void createdTopicConfigsFollowKafkasControllerSources() {
        MetadataImage image = TestImages.builder().broker(1).brokerConfig("1", "log.segment.bytes", "2097152").build();

        List<CreatableTopicConfigs> configs = new ConfigDescriber(STATIC).createdTopicConfigs(image,
                Map.of("cleanup.policy", "compact, delete"));

        assertThat(configs).extracting(CreatableTopicConfigs::name)
                .containsExactlyInAnyOrderElementsOf(TopicConfigs.names()).isSorted();
        assertThat(created(configs, "cleanup.policy")).isEqualTo("compact, delete@TOPIC_CONFIG");
        assertThat(created(configs, "retention.ms")).isEqualTo("360000000@STATIC_BROKER_CONFIG");
        assertThat(created(configs, "segment.bytes")).isEqualTo("2097152@DYNAMIC_BROKER_CONFIG");
        assertThat(created(configs, "max.message.bytes")).isEqualTo("1048588@DEFAULT_CONFIG");
        assertThat(configs).allSatisfy(c -> {
            assertThat(c.readOnly()).isFalse();
            assertThat(c.isSensitive()).isFalse();
        });
    }

    private static String created(List<CreatableTopicConfigs> configs, String name) {
        CreatableTopicConfigs config = configs.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        return config.value() + "@" + ConfigSource.forId(config.configSource());
    }

    private static DescribeConfigsResult describeTopic(BrokerConfig config, MetadataImage image, String topic) {
        return describe(config, image, ConfigResource.Type.TOPIC, topic);
    }

    private static DescribeConfigsResult describe(BrokerConfig config, MetadataImage image, ConfigResource.Type type,
                                                  String name) {
        return new ConfigDescriber(config).describe(image, resource(type, name, null), true, false);
    }

    public static DescribeConfigsResource resource(ConfigResource.Type type, String name, List<String> keys) {
        return new DescribeConfigsResource().setResourceType(type.id()).setResourceName(name)
                .setConfigurationKeys(keys);
    }

    public static DescribeConfigsResourceResult entry(DescribeConfigsResult result, String name) {
        return result.configs().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + name + " in " + result));
    }

    /** Synonyms as "SOURCE:name=value". */
    static List<String> synonyms(DescribeConfigsResourceResult entry) {
        List<String> result = new ArrayList<>();
        entry.synonyms().forEach(s -> result.add(ConfigSource.forId(s.source()) + ":" + s.name() + "=" + s.value()));
        return result;
    }
}
