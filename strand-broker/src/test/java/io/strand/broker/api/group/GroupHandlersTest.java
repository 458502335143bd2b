package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupHandlersTest {

    private static final String LISTENER = "PLAINTEXT";
    private static final int NODE_ID = 1;
    private static final int OFFSETS_PARTITIONS = 4;

    private final List<CreateTopicsRequestData> createRequests = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CreateTopicsResponseData> createResponse = new CompletableFuture<>();
    private final GroupCoordinatorService service = new GroupCoordinatorService(NODE_ID,
            GroupCoordinatorConfig.from(Map.of(GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS,
                    Integer.toString(OFFSETS_PARTITIONS))),
            new ReplicaManager(NODE_ID, null, null), Time.SYSTEM);

    @AfterEach
    void close() {
        service.close();
    }

    private static MetadataImage image(boolean withOffsetsTopic) {
        return image(withOffsetsTopic, 1);
    }

    /** Brokers {@code NODE_ID}, {@code NODE_ID + 1}, … registered; the offsets topic led by {@code NODE_ID}. */
    private static MetadataImage image(boolean withOffsetsTopic, int brokers) {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id = NODE_ID; id < NODE_ID + brokers; id++) {
            records.add(new RegisterBrokerRecord(id, new Uuid(7L, id),
                    List.of(new Endpoint(LISTENER, "broker-host", 9092 + id - NODE_ID, "PLAINTEXT")), null));
        }
        if (withOffsetsTopic) {
            Uuid id = new Uuid(1L, 1L);
            records.add(new TopicRecord(Topic.GROUP_METADATA_TOPIC_NAME, id));
            for (int p = 0; p < OFFSETS_PARTITIONS; p++) {
                records.add(new PartitionRecord(id, p, List.of(NODE_ID), List.of(NODE_ID), NODE_ID, 0, 0));
            }
        }
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(records.size());
    }

    private static RequestContext context(ApiKeys key, short version) {
        return new RequestContext(new RequestHeader(key, version, "client", 1), new InetSocketAddress("127.0.0.1", 5555),
                LISTENER, 0, null);
    }

    /** Serializes {@code data} at {@code version} and parses it back, as the network layer would. */
    @SuppressWarnings("unchecked")
    private static <R extends AbstractRequest> R request(ApiKeys key, short version, ApiMessage data) {
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        return (R) AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(bytes)).request;
    }

    private FindCoordinatorResponseData find(short version, byte keyType, String... keys) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType(keyType);
        if (version >= 4) {
            data.setCoordinatorKeys(List.of(keys));
        } else {
            data.setKey(keys[0]);
        }
        return new FindCoordinatorHandler(service)
                .handle(context(ApiKeys.FIND_COORDINATOR, version), request(ApiKeys.FIND_COORDINATOR, version, data))
                .join();
    }

    @Test
    void findCoordinatorNamesTheLeaderOfTheGroupsPartitionOnTheRequestsListener() {
        service.onMetadataImage(image(true));

        FindCoordinatorResponseData single = find((short) 3, (byte) 0, "group-a");
        FindCoordinatorResponseData batch = find((short) 6, (byte) 0, "group-a", "group-b");

        assertThat(Errors.forCode(single.errorCode())).isEqualTo(Errors.NONE);
        assertThat(single.nodeId()).isEqualTo(NODE_ID);
        assertThat(single.host()).isEqualTo("broker-host");
        assertThat(single.port()).isEqualTo(9092);
        assertThat(batch.coordinators()).extracting(c -> c.key()).containsExactly("group-a", "group-b");
        assertThat(batch.coordinators()).allSatisfy(c -> assertThat(c.nodeId()).isEqualTo(NODE_ID));
    }

    @Test
    void findCoordinatorCreatesACompactedOffsetsTopicWhenItIsMissing() {
        service.start(request -> {
            createRequests.add(request);
            return createResponse;
        }, image(false, 3));

        FindCoordinatorResponseData response = find((short) 6, (byte) 0, "group-a");

        assertThat(Errors.forCode(response.coordinators().get(0).errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(createRequests).hasSize(1);
        CreatableTopic topic = createRequests.get(0).topics().find(Topic.GROUP_METADATA_TOPIC_NAME);
        assertThat(topic.numPartitions()).isEqualTo(OFFSETS_PARTITIONS);
        assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        assertThat(topic.configs().find(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
    }

    @Test
    void findCoordinatorIsNotAvailableAndCreatesNothingUntilTheReplicationFactorsBrokersAreRegistered() {
        service.start(request -> {
            createRequests.add(request);
            return createResponse;
        }, image(false, 2));

        FindCoordinatorResponseData.Coordinator tooFew = find((short) 6, (byte) 0, "group-a").coordinators().get(0);

        assertThat(Errors.forCode(tooFew.errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(tooFew.errorMessage()).contains("(2)").contains("offsets.topic.replication.factor");
        assertThat(createRequests).isEmpty();

        service.onMetadataImage(image(false, 3));
        FindCoordinatorResponseData.Coordinator enough = find((short) 6, (byte) 0, "group-a").coordinators().get(0);

        assertThat(Errors.forCode(enough.errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(createRequests).singleElement().satisfies(request -> assertThat(
                request.topics().find(Topic.GROUP_METADATA_TOPIC_NAME).replicationFactor()).isEqualTo((short) 3));
    }

    @Test
    void aSingleNodeWithReplicationFactorOneCreatesTheTopicAtOnce() {
        try (GroupCoordinatorService single = new GroupCoordinatorService(NODE_ID, GroupCoordinatorConfig.from(Map.of(
                GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, Integer.toString(OFFSETS_PARTITIONS),
                GroupCoordinatorConfig.OFFSETS_TOPIC_REPLICATION_FACTOR, "1")),
                new ReplicaManager(NODE_ID, null, null), Time.SYSTEM)) {
            single.start(request -> {
                createRequests.add(request);
                return createResponse;
            }, image(false));

            assertThat(createRequests).singleElement().satisfies(request -> assertThat(
                    request.topics().find(Topic.GROUP_METADATA_TOPIC_NAME).replicationFactor()).isEqualTo((short) 1));
        }
    }

    @Test
    void transactionCoordinatorIsNotAvailableYet() {
        service.onMetadataImage(image(true));

        FindCoordinatorResponseData response = find((short) 6, (byte) 1, "txn");

        assertThat(Errors.forCode(response.coordinators().get(0).errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    }

    @Test
    void joinResponsesCarryOnlyWhatTheirVersionHas() {
        for (short version = ApiKeys.JOIN_GROUP.oldestVersion(); version <= ApiKeys.JOIN_GROUP.latestVersion(); version++) {
            JoinGroupResponseData response = new JoinGroupResponseData().setGenerationId(1).setProtocolType("consumer")
                    .setProtocolName("range").setLeader("m").setMemberId("m").setSkipAssignment(true)
                    .setMembers(new ArrayList<>(List.of(new JoinGroupResponseMember().setMemberId("m")
                            .setGroupInstanceId("i").setMetadata(new byte[0]))));

            JoinGroupHandler.forVersion(response, version);

            short v = version;
            assertThat(MessageUtil.toByteBufferAccessor(response, v).buffer().remaining()).as("v%d", v).isPositive();
            assertThat(response.skipAssignment()).isEqualTo(version >= 9);
        }
    }

    @Test
    void everyGroupHandlerDeclaresItsApi() {
        assertThat(GroupHandlers.all(service)).extracting(ApiHandler::apiKey).containsExactlyInAnyOrder(
                ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
                ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.OFFSET_DELETE,
                ApiKeys.LIST_GROUPS,
                ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS, ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                ApiKeys.CONSUMER_GROUP_DESCRIBE, ApiKeys.SHARE_GROUP_HEARTBEAT, ApiKeys.SHARE_GROUP_DESCRIBE);
    }

    static List<Integer> partitions() {
        return IntStream.range(0, OFFSETS_PARTITIONS).boxed().toList();
    }

    static void awaitActive(GroupCoordinatorService service) {
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions().stream()
                .allMatch(p -> service.coordinator().isActive(p)));
    }
}
