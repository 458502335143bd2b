package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData.BrokerState;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterPartition from partition leaders and ElectLeaders from admins, as Kafka's controller answers them. */
class AlterPartitionAndElectLeadersTest {

    private final ClusterFixture cluster = new ClusterFixture();

    @BeforeEach
    void threeBrokersAndATopic() {
        cluster.activate(1, 2, 3);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2, 3));
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private AlterPartitionRequestData alter(int brokerId, long brokerEpoch, Uuid topicId, int leaderEpoch,
                                            int partitionEpoch, List<BrokerState> isr) {
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch);
        AlterPartitionRequestData.TopicData topic = new AlterPartitionRequestData.TopicData().setTopicId(topicId);
        topic.partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                .setLeaderEpoch(leaderEpoch).setPartitionEpoch(partitionEpoch).setNewIsrWithEpochs(isr));
        request.topics().add(topic);
        return request;
    }

    private List<BrokerState> isr(int... ids) {
        List<BrokerState> states = new ArrayList<>();
        for (int id : ids) {
            states.add(new BrokerState().setBrokerId(id).setBrokerEpoch(cluster.epoch(id)));
        }
        return states;
    }

    /** A v3 request from the leader of t-0 at its current epochs. */
    private AlterPartitionResponseData.PartitionData alterFromLeader(List<BrokerState> newIsr) {
        PartitionRegistration p = cluster.partition("t", 0);
        return alterOne(alter(p.leader(), cluster.epoch(p.leader()), cluster.topicId("t"), p.leaderEpoch(),
                p.partitionEpoch(), newIsr));
    }

    private AlterPartitionResponseData.PartitionData alterOne(AlterPartitionRequestData request) {
        AlterPartitionResponseData response = get(cluster.controller.alterPartition(request, (short) 3));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        return response.topics().get(0).partitions().get(0);
    }

    @Test
    void theLeaderShrinksAndExpandsTheIsrAndGetsTheNewState() {
        PartitionRegistration before = cluster.partition("t", 0);
        AlterPartitionResponseData.PartitionData shrunk = alterFromLeader(isr(1, 2));

        assertThat(shrunk.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(shrunk.isr()).containsExactly(1, 2);
        assertThat(shrunk.leaderId()).isEqualTo(1);
        assertThat(shrunk.leaderEpoch()).isEqualTo(before.leaderEpoch());
        assertThat(shrunk.partitionEpoch()).isEqualTo(before.partitionEpoch() + 1);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(1, 2);

        assertThat(alterFromLeader(isr(1, 2, 3)).isr()).containsExactly(1, 2, 3);
        assertThat(cluster.partition("t", 0).partitionEpoch()).isEqualTo(before.partitionEpoch() + 2);
    }

    @Test
    void staleEpochsAndWrongSendersAreRefusedAsKafkaRefusesThem() {
        PartitionRegistration p = cluster.partition("t", 0);
        Uuid id = cluster.topicId("t");
        assertThat(alterOne(alter(1, cluster.epoch(1), id, p.leaderEpoch() - 1, p.partitionEpoch(), isr(1, 2)))
                .errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(alterOne(alter(1, cluster.epoch(1), id, p.leaderEpoch(), p.partitionEpoch() - 1, isr(1, 2)))
                .errorCode()).isEqualTo(Errors.INVALID_UPDATE_VERSION.code());
        assertThat(alterOne(alter(1, cluster.epoch(1), id, p.leaderEpoch() + 1, p.partitionEpoch(), isr(1, 2)))
                .errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
        assertThat(alterOne(alter(2, cluster.epoch(2), id, p.leaderEpoch(), p.partitionEpoch(), isr(1, 2)))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(alterOne(alter(1, cluster.epoch(1), new Uuid(9, 9), p.leaderEpoch(), p.partitionEpoch(),
                isr(1, 2))).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        assertThat(alterOne(alter(1, cluster.epoch(1), id, p.leaderEpoch(), p.partitionEpoch(), isr(2, 3)))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());

        AlterPartitionResponseData staleBroker = get(cluster.controller.alterPartition(
                alter(1, cluster.epoch(1) - 1, id, p.leaderEpoch(), p.partitionEpoch(), isr(1, 2)), (short) 3));
        assertThat(staleBroker.errorCode()).isEqualTo(Errors.STALE_BROKER_EPOCH.code());
        assertThat(cluster.partition("t", 0)).isEqualTo(p);
    }

    @Test
    void addingAFencedOrShuttingDownOrReRegisteredBrokerIsIneligible() {
        alterFromLeader(isr(1, 2));
        List<BrokerState> withOldEpoch = isr(1, 3);
        cluster.advanceWithHeartbeats(9_001, 3);
        cluster.fenceExpired();
        assertThat(alterFromLeader(isr(1, 2, 3)).errorCode()).isEqualTo(Errors.INELIGIBLE_REPLICA.code());

        cluster.register(3, null);
        cluster.heartbeat(3);
        assertThat(alterFromLeader(withOldEpoch).errorCode()).isEqualTo(Errors.INELIGIBLE_REPLICA.code());
        assertThat(alterFromLeader(isr(1, 3)).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void versionTwoTakesPlainBrokerIds() {
        PartitionRegistration p = cluster.partition("t", 0);
        AlterPartitionRequestData request = alter(1, cluster.epoch(1), cluster.topicId("t"), p.leaderEpoch(),
                p.partitionEpoch(), List.of());
        request.topics().get(0).partitions().get(0).setNewIsr(List.of(1, 3));

        AlterPartitionResponseData response = get(cluster.controller.alterPartition(request, (short) 2));
        assertThat(response.topics().get(0).partitions().get(0).isr()).containsExactly(1, 3);
    }

    private ElectLeadersResponseData elect(ElectionType type, String topic, int partition) {
        ElectLeadersRequestData request = new ElectLeadersRequestData().setElectionType(type.value);
        request.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic(topic)
                .setPartitions(List.of(partition)));
        return get(cluster.controller.electLeaders(request));
    }

    private PartitionResult electOne(ElectionType type, String topic) {
        return elect(type, topic, 0).replicaElectionResults().get(0).partitionResult().get(0);
    }

    @Test
    void preferredElectionMovesLeadershipBackToTheFirstReplica() {
        assertThat(electOne(ElectionType.PREFERRED, "t").errorCode()).isEqualTo(Errors.ELECTION_NOT_NEEDED.code());
        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(2);
        assertThat(electOne(ElectionType.PREFERRED, "t").errorCode())
                .isEqualTo(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code());

        cluster.register(1, null);
        cluster.heartbeat(1);
        alterFromLeader(isr(2, 3, 1));
        PartitionRegistration before = cluster.partition("t", 0);
        assertThat(electOne(ElectionType.PREFERRED, "t").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);
        assertThat(cluster.partition("t", 0).leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
    }

    @Test
    void uncleanElectionOnlyWhereThereIsNoLeader() {
        cluster.createTopic(withAssignment(topic("u", -1, -1), 0, 1, 2));
        assertThat(electOne(ElectionType.UNCLEAN, "u").errorCode()).isEqualTo(Errors.ELECTION_NOT_NEEDED.code());
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        cluster.advanceWithHeartbeats(9_001, 1, 2);
        cluster.fenceExpired();
        assertThat(cluster.partition("u", 0).leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(electOne(ElectionType.UNCLEAN, "u").errorCode())
                .isEqualTo(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE.code());

        cluster.register(2, null);
        cluster.heartbeat(2);
        assertThat(cluster.partition("u", 0).leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(electOne(ElectionType.UNCLEAN, "u").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(cluster.partition("u", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("u", 0).isr()).containsExactly(2);
    }

    @Test
    void unknownPartitionsAreNamedAndAllPartitionElectionsLeaveOutThoseNotNeeded() {
        assertThat(elect(ElectionType.PREFERRED, "t", 5).replicaElectionResults().get(0).partitionResult().get(0)
                .errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        ElectLeadersResponseData all = get(cluster.controller.electLeaders(new ElectLeadersRequestData()
                .setElectionType(ElectionType.PREFERRED.value).setTopicPartitions(null)));
        assertThat(all.replicaElectionResults()).allSatisfy(t -> assertThat(t.partitionResult()).isEmpty());
    }

    @Test
    void balanceLeadersRunsAPreferredElectionEverywhere() {
        cluster.createTopic(withConfig(withAssignment(topic("b", -1, -1), 0, 2, 1), "retention.ms", "1000"));
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        cluster.register(2, null);
        cluster.heartbeat(2);
        PartitionRegistration p = cluster.partition("b", 0);
        alterOne(alter(1, cluster.epoch(1), cluster.topicId("b"), p.leaderEpoch(), p.partitionEpoch(), isr(1, 2)));
        assertThat(cluster.partition("b", 0).leader()).isEqualTo(1);

        get(cluster.controller.balanceLeaders());
        assertThat(cluster.partition("b", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);
    }
}
