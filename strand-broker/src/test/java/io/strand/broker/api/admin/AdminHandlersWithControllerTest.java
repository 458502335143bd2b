package io.strand.broker.api.admin;

import static io.strand.broker.api.configs.ConfigDescriberTest.entry;
import static io.strand.broker.api.configs.ConfigDescriberTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.groups.Tuple.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.network.ApiHandler;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataListener;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handlers over the real controller, on an in-memory metadata log holding one registered broker. */
class AdminHandlersWithControllerTest {

    private final BrokerConfig config = BrokerConfig.of(Map.of("num.partitions", "2"));
    private final LocalMetadataLog metadataLog = new LocalMetadataLog(TestImages.builder().broker(1).build(),
            MetadataListener.NOOP);
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(42));
    private final List<ApiHandler<?>> handlers = AdminHandlers.all(config, metadataLog::image,
            AdminHandlers.adminController(config, controller), List::of);

    @AfterEach
    void closeController() {
        controller.close();
    }

    @Test
    void compactedTopicCreatedThroughTheControllerDescribesAsCompact() {
        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        CreatableTopic topic = new CreatableTopic().setName("connect-offsets").setNumPartitions(-1)
                .setReplicationFactor((short) -1);
        topic.configs().add(new CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
        create.topics().add(topic);

        CreateTopicsResponseData created = call(new CreateTopicsRequest.Builder(create).build((short) 7));

        CreatableTopicResult result = created.topics().find("connect-offsets");
        assertThat(result.errorCode()).as(result.errorMessage()).isEqualTo(Errors.NONE.code());
        assertThat(result.numPartitions()).isEqualTo(2);
        assertThat(result.configs()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("cleanup.policy");
            assertThat(c.value()).isEqualTo("compact");
        });
        DescribeConfigsResult described = describeTopic("connect-offsets");
        assertThat(entry(described, "cleanup.policy").value()).isEqualTo("compact");
        assertThat(entry(described, "cleanup.policy").configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
    }

    @Test
    void alteredConfigsShowInDescribeConfigs() {
        createTopic("orders");
        IncrementalAlterConfigsRequestData alter = new IncrementalAlterConfigsRequestData();
        alter.resources().add(alterResource(ConfigResource.Type.TOPIC, "orders", "retention.ms", "1000"));
        alter.resources().add(alterResource(ConfigResource.Type.BROKER, "", "log.segment.bytes", "2097152"));

        IncrementalAlterConfigsResponseData altered = call(
                new IncrementalAlterConfigsRequest.Builder(alter).build((short) 1));

        assertThat(altered.responses()).allSatisfy(r ->
                assertThat(r.errorCode()).as(r.errorMessage()).isEqualTo(Errors.NONE.code()));
        DescribeConfigsResult described = describeTopic("orders");
        assertThat(entry(described, "retention.ms").value()).isEqualTo("1000");
        assertThat(entry(described, "segment.bytes").value()).isEqualTo("2097152");
        assertThat(entry(described, "segment.bytes").configSource())
                .isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
    }

    @Test
    void brokerPropertyThatIsNotDynamicIsRefused() {
        IncrementalAlterConfigsRequestData alter = new IncrementalAlterConfigsRequestData();
        alter.resources().add(alterResource(ConfigResource.Type.BROKER, "1", "num.partitions", "5"));

        IncrementalAlterConfigsResponseData altered = call(
                new IncrementalAlterConfigsRequest.Builder(alter).build((short) 1));

        assertThat(altered.responses().get(0).errorCode()).isNotEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(new ConfigResource(ConfigResource.Type.BROKER, "1"))).isEmpty();
    }

    @Test
    void addedPartitionsAreDescribedAndDeletedTopicsAreGone() {
        createTopic("orders");
        CreatePartitionsRequestData grow = new CreatePartitionsRequestData().setTimeoutMs(30_000);
        grow.topics().add(new CreatePartitionsTopic().setName("orders").setCount(5).setAssignments(null));
        call(new CreatePartitionsRequest.Builder(grow).build((short) 3));

        DescribeTopicPartitionsResponseData described = call(new DescribeTopicPartitionsRequest.Builder(
                new DescribeTopicPartitionsRequestData()).build((short) 0));
        assertThat(described.topics().find("orders").partitions()).hasSize(5);

        DeleteTopicsResponseData deleted = call(new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("orders", "never")).setTimeoutMs(30_000)).build((short) 5));
        assertThat(deleted.responses()).extracting(r -> r.name() + "=" + Errors.forCode(r.errorCode()))
                .containsExactlyInAnyOrder("orders=NONE", "never=UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(metadataLog.image().topics().byName("orders")).isEmpty();
    }

    @Test
    void hugePartitionCountIsPolicyViolationForEveryTopicAndCreatesNothing() {
        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        create.topics().add(new CreatableTopic().setName("huge").setNumPartitions(Integer.MAX_VALUE)
                .setReplicationFactor((short) 1));
        create.topics().add(new CreatableTopic().setName("small").setNumPartitions(1).setReplicationFactor((short) 1));
        CreateTopicsRequest request = new CreateTopicsRequest.Builder(create).build((short) 7);
        ApiHandler handler = handlers.stream().filter(h -> h.apiKey() == request.apiKey()).findFirst().orElseThrow();

        Throwable failure = catchThrowable(() -> handler.handle(Requests.context(request), request).join());

        // The connection answers a failed request with the request's error response, as Kafka does.
        assertThat(failure).isInstanceOf(CompletionException.class).cause().isInstanceOf(PolicyViolationException.class);
        CreateTopicsResponseData answer = (CreateTopicsResponseData) request.getErrorResponse(0, failure.getCause()).data();
        assertThat(answer.topics()).extracting(CreatableTopicResult::name, CreatableTopicResult::errorCode,
                CreatableTopicResult::errorMessage).containsExactlyInAnyOrder(
                tuple("huge", Errors.POLICY_VIOLATION.code(), "Excessively large number of partitions per request."),
                tuple("small", Errors.POLICY_VIOLATION.code(), "Excessively large number of partitions per request."));
        assertThat(metadataLog.image().topics().all()).isEmpty();
    }

    @Test
    void hugePartitionIncreaseIsPolicyViolation() {
        createTopic("orders");
        CreatePartitionsRequestData grow = new CreatePartitionsRequestData().setTimeoutMs(30_000);
        grow.topics().add(new CreatePartitionsTopic().setName("orders").setCount(Integer.MAX_VALUE)
                .setAssignments(null));

        CreatePartitionsResponseData response = call(new CreatePartitionsRequest.Builder(grow).build((short) 3));

        assertThat(response.results()).extracting(CreatePartitionsTopicResult::errorCode)
                .containsExactly(Errors.POLICY_VIOLATION.code());
        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().numPartitions()).isEqualTo(1);
    }

    private void createTopic(String name) {
        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        create.topics().add(new CreatableTopic().setName(name).setNumPartitions(1).setReplicationFactor((short) 1));
        CreateTopicsResponseData created = call(new CreateTopicsRequest.Builder(create).build((short) 7));
        assertThat(created.topics().find(name).errorCode()).isEqualTo(Errors.NONE.code());
    }

    private DescribeConfigsResult describeTopic(String topic) {
        DescribeConfigsResponseData response = call(new DescribeConfigsRequest.Builder(new DescribeConfigsRequestData()
                .setIncludeSynonyms(true).setResources(List.of(resource(ConfigResource.Type.TOPIC, topic, null))))
                .build((short) 4));
        return response.results().get(0);
    }

    private static AlterConfigsResource alterResource(ConfigResource.Type type, String name, String config,
                                                      String value) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        resource.configs().add(new AlterableConfig().setName(config).setValue(value).setConfigOperation(OpType.SET.id()));
        return resource;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T extends ApiMessage> T call(AbstractRequest request) {
        ApiHandler handler = handlers.stream().filter(h -> h.apiKey() == request.apiKey()).findFirst().orElseThrow();
        ApiMessage response = (ApiMessage) handler.handle(Requests.context(request), request).join();
        // What the client reads back.
        return Requests.overWire(request.apiKey(), response, request.version());
    }
}
