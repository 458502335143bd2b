package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.share.ShareCoordinatorService;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.share.ShareCoordinatorConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
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
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FindCoordinator with key type SHARE: the leader of a share-partition's {@code __share_group_state} partition. */
class FindShareCoordinatorTest {

    private static final int NODE_ID = 1;

    private final List<CreateTopicsRequestData> createRequests = new CopyOnWriteArrayList<>();
    private final GroupCoordinatorService groups = new GroupCoordinatorService(NODE_ID,
            GroupCoordinatorConfig.from(Map.of()), new ReplicaManager(NODE_ID, null, null), Time.SYSTEM);
    private final ShareCoordinatorService shares = new ShareCoordinatorService(NODE_ID,
            ShareCoordinatorConfig.from(Map.of(ShareCoordinatorConfig.STATE_TOPIC_PARTITIONS, "3",
                    ShareCoordinatorConfig.STATE_TOPIC_REPLICATION_FACTOR, "2",
                    ShareCoordinatorConfig.STATE_TOPIC_MIN_ISR, "2",
                    ShareCoordinatorConfig.STATE_TOPIC_SEGMENT_BYTES, "1048576")),
            new ReplicaManager(NODE_ID, null, null), Time.SYSTEM);

    @AfterEach
    void close() {
        shares.close();
        groups.close();
    }

    private FindCoordinatorResponseData find(String... keys) {
        FindCoordinatorRequest request = new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKeyType(CoordinatorType.SHARE.id()).setCoordinatorKeys(List.of(keys))).build((short) 6);
        return Requests.overWire(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(groups, null, shares)
                .handle(Requests.context(request), request).join(), (short) 6);
    }

    private void start(TestImages image) {
        shares.start(request -> {
            createRequests.add(request);
            return new CompletableFuture<CreateTopicsResponseData>();
        }, image.build());
    }

    @Test
    void createsTheShareStateTopicOnFirstNeedWithKafkasSettings() {
        start(TestImages.builder().broker(NODE_ID).broker(2));

        FindCoordinatorResponseData response = find("g:" + Uuid.randomUuid() + ":0");

        assertThat(Errors.forCode(response.coordinators().get(0).errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(createRequests).singleElement().satisfies(request -> {
            CreatableTopic topic = request.topics().find(Topic.SHARE_GROUP_STATE_TOPIC_NAME);
            assertThat(topic.numPartitions()).isEqualTo(3);
            assertThat(topic.replicationFactor()).isEqualTo((short) 2);
            assertThat(topic.configs()).extracting(CreatableTopicConfig::name, CreatableTopicConfig::value)
                    .contains(tuple(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"),
                            tuple(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"),
                            tuple(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"));
        });
    }

    @Test
    void namesTheLeaderOfTheKeysPartitionAndRefusesAKeyNotGroupTopicPartition() {
        start(TestImages.builder().broker(NODE_ID).broker(2).topic(Topic.SHARE_GROUP_STATE_TOPIC_NAME, 3, 2));
        String key = "g:" + Uuid.randomUuid() + ":4";

        FindCoordinatorResponseData response = find(key, "g", "g:not-a-topic-id:0");

        assertThat(response.coordinators()).extracting(Coordinator::key, c -> Errors.forCode(c.errorCode()),
                Coordinator::nodeId).containsExactly(tuple(key, Errors.NONE, 2),
                tuple("g", Errors.INVALID_REQUEST, -1), tuple("g:not-a-topic-id:0", Errors.INVALID_REQUEST, -1));
    }
}
