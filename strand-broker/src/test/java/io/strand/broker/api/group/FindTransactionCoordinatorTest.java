package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FindTransactionCoordinatorTest {

    private static final int NODE_ID = 1;

    private final List<CreateTopicsRequestData> createRequests = new CopyOnWriteArrayList<>();
    private final GroupCoordinatorService groups = new GroupCoordinatorService(NODE_ID,
            GroupCoordinatorConfig.from(Map.of()), new ReplicaManager(NODE_ID, null, null), Time.SYSTEM);
    private final TransactionCoordinatorService transactions = new TransactionCoordinatorService(NODE_ID,
            TransactionCoordinatorConfig.from(Map.of(TransactionCoordinatorConfig.STATE_LOG_PARTITIONS, "3",
                    TransactionCoordinatorConfig.STATE_LOG_REPLICATION_FACTOR, "2",
                    TransactionCoordinatorConfig.STATE_LOG_MIN_ISR, "2",
                    TransactionCoordinatorConfig.STATE_LOG_SEGMENT_BYTES, "1048576")),
            new ReplicaManager(NODE_ID, null, null), () -> 1L, (markers, completion) -> { }, group -> 0, Time.SYSTEM);

    @AfterEach
    void close() {
        transactions.close();
        groups.close();
    }

    private FindCoordinatorResponseData find(short version, String... keys) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id());
        if (version >= 4) {
            data.setCoordinatorKeys(List.of(keys));
        } else {
            data.setKey(keys[0]);
        }
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        FindCoordinatorRequest request = (FindCoordinatorRequest) AbstractRequest.parseRequest(ApiKeys.FIND_COORDINATOR,
                version, new ByteBufferAccessor(bytes)).request;
        return Requests.overWire(ApiKeys.FIND_COORDINATOR,
                new FindCoordinatorHandler(groups, transactions).handle(Requests.context(request), request).join(),
                version);
    }

    private void start(TestImages image) {
        transactions.start(request -> {
            createRequests.add(request);
            return new CompletableFuture<CreateTopicsResponseData>();
        }, image.build());
    }

    @Test
    void createsTheTransactionStateTopicOnFirstNeedWithKafkasSettings() {
        start(TestImages.builder().broker(NODE_ID).broker(2));

        FindCoordinatorResponseData response = find((short) 6, "txn-a");

        assertThat(Errors.forCode(response.coordinators().get(0).errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(createRequests).singleElement().satisfies(request -> {
            CreatableTopic topic = request.topics().find(Topic.TRANSACTION_STATE_TOPIC_NAME);
            assertThat(topic.numPartitions()).isEqualTo(3);
            assertThat(topic.replicationFactor()).isEqualTo((short) 2);
            assertThat(topic.configs()).extracting(CreatableTopicConfig::name, CreatableTopicConfig::value)
                    .contains(tuple(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"),
                            tuple(TopicConfig.COMPRESSION_TYPE_CONFIG, "uncompressed"),
                            tuple(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"),
                            tuple(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"));
        });
    }

    @Test
    void waitsForEnoughBrokersBeforeCreatingTheTopic() {
        start(TestImages.builder().broker(NODE_ID));

        FindCoordinatorResponseData response = find((short) 3, "txn-a");

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(response.errorMessage()).contains("transaction.state.log.replication.factor");
        assertThat(createRequests).isEmpty();
    }

    @Test
    void namesTheLeaderOfTheIdsPartitionEvenOfAnEmptyId() {
        start(TestImages.builder().broker(NODE_ID).broker(2).topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 3, 2));

        FindCoordinatorResponseData batch = find((short) 6, "txn-a", "");
        FindCoordinatorResponseData single = find((short) 2, "txn-b");

        assertThat(batch.coordinators()).extracting(Coordinator::key, c -> Errors.forCode(c.errorCode()), Coordinator::nodeId)
                .containsExactly(tuple("txn-a", Errors.NONE, 2),
                        tuple("", Errors.NONE, batch.coordinators().get(1).nodeId()));
        assertThat(batch.coordinators().get(1).nodeId()).as("as Kafka, \"\" is an id like any other").isPositive();
        assertThat(batch.coordinators().get(0).port()).isEqualTo(9092);
        assertThat(Errors.forCode(single.errorCode())).isEqualTo(Errors.NONE);
        assertThat(single.nodeId()).isEqualTo(2);
        assertThat(createRequests).isEmpty();
    }
}
