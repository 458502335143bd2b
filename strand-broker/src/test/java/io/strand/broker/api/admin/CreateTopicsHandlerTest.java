package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.FakeController;
import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.api.configs.ConfigDescriber;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.Test;

class CreateTopicsHandlerTest {

    private final MetadataImage image = TestImages.builder().broker(1).build();
    private final FakeController controller = new FakeController();
    private final CreateTopicsHandler handler = new CreateTopicsHandler(() -> image, controller,
            new ConfigDescriber(BrokerConfig.of(Map.of("log.retention.hours", "100"))));

    @Test
    void createdTopicCarriesItsFullConfigurationFromVersion5() {
        CreateTopicsResponseData response = handle(request(topic("connect-configs", "cleanup.policy", "compact")), 7);

        CreatableTopicResult result = response.topics().find("connect-configs");
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.numPartitions()).isEqualTo(3);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
        assertThat(result.configs()).extracting(CreatableTopicConfigs::name)
                .containsExactlyInAnyOrderElementsOf(TopicConfigs.names());
        CreatableTopicConfigs policy = config(result, "cleanup.policy");
        assertThat(policy.value()).isEqualTo("compact");
        assertThat(policy.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        CreatableTopicConfigs retention = config(result, "retention.ms");
        assertThat(retention.value()).isEqualTo("360000000");
        assertThat(retention.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
    }

    @Test
    void topicTheControllerRejectedHasNoConfigs() {
        controller.createTopics = request -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            response.topics().add(new CreatableTopicResult().setName("taken")
                    .setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()).setErrorMessage("Topic 'taken' already exists."));
            return response;
        };

        CreatableTopicResult result = handle(request(topic("taken")), 7).topics().find("taken");

        assertThat(result.errorCode()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS.code());
        assertThat(result.errorMessage()).isEqualTo("Topic 'taken' already exists.");
        assertThat(result.configs()).isEmpty();
    }

    @Test
    void versionsBefore5GetNoConfigs() {
        CreateTopicsResponseData response = handle(request(topic("orders")), 4);

        assertThat(response.topics().find("orders").configs()).isEmpty();
        CreateTopicsResponseData read = Requests.overWire(ApiKeys.CREATE_TOPICS, response, (short) 4);
        assertThat(read.topics().find("orders").errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void validateOnlyIsForwardedAndStillDescribesTheConfigs() {
        CreateTopicsRequestData request = request(topic("orders", "retention.ms", "1000")).setValidateOnly(true);

        CreatableTopicResult result = handle(request, 7).topics().find("orders");

        CreateTopicsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.validateOnly()).isTrue();
        assertThat(config(result, "retention.ms").value()).isEqualTo("1000");
    }

    @Test
    void nameGivenTwiceIsNotForwardedAndRejectedOnce() {
        CreateTopicsResponseData response = handle(request(topic("twice"), topic("once"), topic("twice")), 7);

        CreateTopicsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.topics()).extracting(CreatableTopic::name).containsExactly("once");
        assertThat(response.topics()).extracting(CreatableTopicResult::name).containsExactly("once", "twice");
        CreatableTopicResult twice = response.topics().find("twice");
        assertThat(twice.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(twice.errorMessage()).isEqualTo("Duplicate topic name.");
        assertThat(twice.configs()).isEmpty();
    }

    @Test
    void metadataLogTopicCannotBeCreatedAndControllerIsNotAsked() {
        CreateTopicsResponseData response = handle(request(topic("__cluster_metadata")), 7);

        assertThat(controller.requests).isEmpty();
        CreatableTopicResult result = response.topics().find("__cluster_metadata");
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(result.errorMessage()).isEqualTo("Creation of internal topic __cluster_metadata is prohibited.");
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 2; version <= 7; version++) {
            // Versions before 4 cannot ask for the broker's default counts.
            CreatableTopic topic = topic("t" + version, "cleanup.policy", "compact").setNumPartitions(1)
                    .setReplicationFactor((short) 1);
            CreateTopicsResponseData response = handle(request(topic), version);
            CreateTopicsResponseData read = Requests.overWire(ApiKeys.CREATE_TOPICS, response, version);
            CreatableTopicResult result = read.topics().find("t" + version);
            assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(result.configs()).hasSize(version >= 5 ? TopicConfigs.names().size() : 0);
        }
    }

    private CreateTopicsResponseData handle(CreateTopicsRequestData data, int version) {
        CreateTopicsRequest request = new CreateTopicsRequest.Builder(data).build((short) version);
        return handler.handle(Requests.context(request), request).join();
    }

    private static CreateTopicsRequestData request(CreatableTopic... topics) {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (CreatableTopic topic : topics) {
            data.topics().add(topic);
        }
        return data;
    }

    private static CreatableTopic topic(String name, String... configPairs) {
        CreatableTopic topic = new CreatableTopic().setName(name).setNumPartitions(-1).setReplicationFactor((short) -1);
        for (int i = 0; i < configPairs.length; i += 2) {
            topic.configs().add(new CreatableTopicConfig().setName(configPairs[i]).setValue(configPairs[i + 1]));
        }
        return topic;
    }

    private static CreatableTopicConfigs config(CreatableTopicResult result, String name) {
        return result.configs().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
