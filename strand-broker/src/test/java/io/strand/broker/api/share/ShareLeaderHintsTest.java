package io.strand.broker.api.share;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.broker.share.ShareGroupConfig;
import io.strand.broker.share.SharePartitionManager;
import io.strand.broker.share.ShareSessionCache;
import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ShareFetch and ShareAcknowledge through their handlers on broker 1, a follower of {@code events-0} once broker 2
 * leads it: a partition answered NOT_LEADER_OR_FOLLOWER names the leader and its epoch, and the response lists
 * that leader's endpoint (if it is unfenced), as Kafka's broker answers; other errors get no hint.
 */
class ShareLeaderHintsTest {

    private static final String GROUP = "g";
    private static final String MEMBER = Uuid.randomUuid().toString();
    private static final int NEW_LEADER = 2;
    private static final int NEW_LEADER_EPOCH = 1;

    @TempDir
    Path dir;

    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();
    private ReplicatedPartitionFixture cluster;
    private ShareFetchHandler fetches;
    private ShareAcknowledgeHandler acknowledgements;

    @BeforeEach
    void start() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2), List.of(1, 2), 1);
        SharePartitionManager partitions = new SharePartitionManager(ShareGroupConfig.from(Map.of()), cluster.time,
                tp -> { });
        ShareSessionCache sessions = new ShareSessionCache(10, cluster.time);
        fetches = new ShareFetchHandler(cluster.replicaManager, cluster::image, partitions, sessions,
                new FetchPurgatory());
        acknowledgements = new ShareAcknowledgeHandler(cluster.replicaManager, cluster::image, partitions, sessions);
    }

    @AfterEach
    void tearDown() throws Exception {
        eventLoop.shutdownNow();
        assertThat(eventLoop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    @Test
    void shareFetchOfAPartitionLedElsewhereNamesItsLeaderAndTheLeadersEndpoint() {
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), NEW_LEADER, NEW_LEADER_EPOCH, 1);
        Uuid unknownTopic = new Uuid(9L, 9L);
        for (short version = ShareFetchHandler.MIN_VERSION; version <= ShareFetchHandler.MAX_VERSION; version++) {
            ShareFetchRequestData request = fetchRequest(0, TOPIC_ID, unknownTopic);
            ShareFetchResponseData response = onTheWire(ApiKeys.SHARE_FETCH, version,
                    fetches.handle(context(ApiKeys.SHARE_FETCH, version), new ShareFetchRequest(request, version))
                            .join());

            ShareFetchResponseData.PartitionData moved = partition(response, TOPIC_ID);
            assertThat(moved.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
            assertThat(moved.currentLeader().leaderId()).isEqualTo(NEW_LEADER);
            assertThat(moved.currentLeader().leaderEpoch()).isEqualTo(NEW_LEADER_EPOCH);
            ShareFetchResponseData.PartitionData unknown = partition(response, unknownTopic);
            assertThat(unknown.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
            assertThat(unknown.currentLeader().leaderId()).as("Kafka's default").isZero();
            assertThat(response.nodeEndpoints()).singleElement().satisfies(node -> {
                assertThat(node.nodeId()).isEqualTo(NEW_LEADER);
                assertThat(node.host()).isEqualTo("broker-2");
                assertThat(node.port()).isEqualTo(9092);
            });
        }
    }

    @Test
    void shareAcknowledgeOfAPartitionWhoseLeadershipMovedNamesTheNewLeaderAndItsEndpoint() {
        short version = ShareAcknowledgeHandler.MAX_VERSION;
        // The session opens while this broker leads the partition.
        ShareFetchResponseData opened = fetches.handle(context(ApiKeys.SHARE_FETCH, version),
                new ShareFetchRequest(fetchRequest(0, TOPIC_ID), version)).join();
        assertThat(partition(opened, TOPIC_ID).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(opened.nodeEndpoints()).isEmpty();
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), NEW_LEADER, NEW_LEADER_EPOCH, 1);

        ShareAcknowledgeResponseData response = onTheWire(ApiKeys.SHARE_ACKNOWLEDGE, version,
                acknowledgements.handle(context(ApiKeys.SHARE_ACKNOWLEDGE, version),
                        new ShareAcknowledgeRequest(acknowledgeRequest(1), version)).join());

        ShareAcknowledgeResponseData.PartitionData moved = response.responses().iterator().next().partitions().get(0);
        assertThat(moved.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(moved.currentLeader().leaderId()).isEqualTo(NEW_LEADER);
        assertThat(moved.currentLeader().leaderEpoch()).isEqualTo(NEW_LEADER_EPOCH);
        assertThat(response.nodeEndpoints()).singleElement().satisfies(node -> {
            assertThat(node.nodeId()).isEqualTo(NEW_LEADER);
            assertThat(node.host()).isEqualTo("broker-2");
            assertThat(node.port()).isEqualTo(9092);
        });
    }

    @Test
    void aFencedLeaderIsNamedButItsEndpointIsNotListed() {
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), NEW_LEADER, NEW_LEADER_EPOCH, 1);
        cluster.publish(new BrokerRegistrationChangeRecord(NEW_LEADER, 0L, true, false));
        short version = ShareFetchHandler.MAX_VERSION;

        ShareFetchResponseData response = fetches.handle(context(ApiKeys.SHARE_FETCH, version),
                new ShareFetchRequest(fetchRequest(0, TOPIC_ID), version)).join();

        ShareFetchResponseData.PartitionData moved = partition(response, TOPIC_ID);
        assertThat(moved.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(moved.currentLeader().leaderId()).isEqualTo(NEW_LEADER);
        assertThat(response.nodeEndpoints()).isEmpty();
    }

    private static ShareFetchRequestData fetchRequest(int epoch, Uuid... topicIds) {
        ShareFetchRequestData data = new ShareFetchRequestData().setGroupId(GROUP).setMemberId(MEMBER)
                .setShareSessionEpoch(epoch).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setMaxRecords(10)
                .setBatchSize(10);
        for (Uuid topicId : topicIds) {
            ShareFetchRequestData.FetchTopic topic = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
            topic.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
            data.topics().add(topic);
        }
        return data;
    }

    private static ShareAcknowledgeRequestData acknowledgeRequest(int epoch) {
        ShareAcknowledgeRequestData data = new ShareAcknowledgeRequestData().setGroupId(GROUP).setMemberId(MEMBER)
                .setShareSessionEpoch(epoch);
        ShareAcknowledgeRequestData.AcknowledgeTopic topic = new ShareAcknowledgeRequestData.AcknowledgeTopic()
                .setTopicId(TOPIC_ID);
        ShareAcknowledgeRequestData.AcknowledgePartition partition = new ShareAcknowledgeRequestData
                .AcknowledgePartition().setPartitionIndex(0);
        partition.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                .setFirstOffset(0).setLastOffset(0).setAcknowledgeTypes(List.of((byte) 1)));
        topic.partitions().add(partition);
        data.topics().add(topic);
        return data;
    }

    private RequestContext context(ApiKeys api, short version) {
        return new RequestContext(new RequestHeader(api, version, "share-consumer", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, eventLoop);
    }

    /** The response as a client reads it: written at {@code version} and parsed back. */
    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> T onTheWire(ApiKeys api, short version, T response) {
        return (T) AbstractResponse.parseResponse(api, MessageUtil.toByteBufferAccessor(response, version), version)
                .data();
    }

    private static ShareFetchResponseData.PartitionData partition(ShareFetchResponseData response, Uuid topicId) {
        return response.responses().stream().filter(t -> t.topicId().equals(topicId)).findFirst().orElseThrow()
                .partitions().get(0);
    }
}
