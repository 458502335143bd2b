package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.DirectoryId;
import io.strand.metadata.image.PartitionRegistration;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Brokers with several log directories (KIP-858): registration, assignments, a directory going offline. */
class LogDirectoriesTest {

    private static final Uuid DIR_A = new Uuid(11, 1001);
    private static final Uuid DIR_B = new Uuid(11, 1002);

    private final ClusterFixture cluster = new ClusterFixture();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aRegistrationKeepsTheBrokersLogDirectories() {
        registerWithDirs(1, DIR_A, DIR_B);

        assertThat(cluster.broker(1).logDirs()).containsExactly(DIR_A, DIR_B);
    }

    @Test
    void aRegistrationWithAReservedOrRepeatedDirectoryIdIsRefused() {
        assertThat(cluster.register(registration(1, DIR_A, DirectoryId.LOST)).errorCode())
                .isEqualTo(Errors.INVALID_REGISTRATION.code());
        assertThat(cluster.register(registration(1, DIR_A, DIR_A)).errorCode())
                .isEqualTo(Errors.INVALID_REGISTRATION.code());
        assertThat(cluster.broker(1)).isNull();
    }

    @Test
    void anAssignmentSetsTheReplicasDirectoryAndNoEpoch() {
        activateBrokers();
        cluster.createTopic(twoPartitionsOnAllThree());
        PartitionRegistration before = cluster.partition("t", 0);

        AssignReplicasToDirsResponseData response = assign(1, DIR_A, 0);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.directories().get(0).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());
        PartitionRegistration after = cluster.partition("t", 0);
        assertThat(after.directory(1)).isEqualTo(DIR_A);
        assertThat(after.directory(2)).isEqualTo(DirectoryId.UNASSIGNED);
        assertThat(after.leaderEpoch()).isEqualTo(before.leaderEpoch());
        assertThat(after.partitionEpoch()).isEqualTo(before.partitionEpoch());
        assertThat(cluster.partition("t", 1).directories()).isEmpty();
    }

    @Test
    void anAssignmentFromAStaleEpochOrForAnotherBrokersPartitionIsRefused() {
        activateBrokers();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 2, 3));

        AssignReplicasToDirsRequestData request = assignment(1, DIR_A, 0).setBrokerEpoch(cluster.epoch(1) + 1);
        assertThat(get(cluster.controller.assignReplicasToDirs(request)).errorCode())
                .isEqualTo(Errors.STALE_BROKER_EPOCH.code());
        AssignReplicasToDirsResponseData response = assign(1, DIR_A, 0);
        assertThat(response.directories().get(0).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
    }

    @Test
    void anOfflineDirectoryMovesLeadershipAndShrinksTheIsrOnlyForItsPartitions() {
        activateBrokers();
        cluster.createTopic(twoPartitionsOnAllThree());
        assign(1, DIR_A, 0);
        assign(1, DIR_B, 1);
        PartitionRegistration before = cluster.partition("t", 0);
        PartitionRegistration untouched = cluster.partition("t", 1);

        BrokerHeartbeatResponseData response = heartbeatWithOffline(1, DIR_A);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.isFenced()).isFalse();
        assertThat(cluster.broker(1).fenced()).isFalse();
        assertThat(cluster.broker(1).logDirs()).containsExactly(DIR_B);
        PartitionRegistration moved = cluster.partition("t", 0);
        assertThat(moved.leader()).isEqualTo(2);
        assertThat(moved.isr()).containsExactly(2, 3);
        assertThat(moved.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(moved.directory(1)).isEqualTo(DIR_A);
        assertThat(cluster.partition("t", 1)).isEqualTo(untouched);
    }

    @Test
    void theNextHeartbeatNamingTheSameOfflineDirectoryChangesNothing() {
        activateBrokers();
        cluster.createTopic(twoPartitionsOnAllThree());
        assign(1, DIR_A, 0);
        heartbeatWithOffline(1, DIR_A);
        long offset = cluster.image().appliedOffset();

        heartbeatWithOffline(1, DIR_A);

        assertThat(cluster.image().appliedOffset()).isEqualTo(offset);
    }

    @Test
    void theLastIsrMemberInAnOfflineDirectoryStaysInTheIsrWithoutLeader() {
        activateBrokers();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1));
        assign(1, DIR_A, 0);

        heartbeatWithOffline(1, DIR_A);

        PartitionRegistration partition = cluster.partition("t", 0);
        assertThat(partition.leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(partition.isr()).containsExactly(1);
    }

    @Test
    void withUncleanElectionAnOutOfSyncReplicaTakesOverFromAnOfflineDirectory() {
        activateBrokers();
        cluster.createTopic(withConfig(withAssignment(topic("t", -1, -1), 0, 1, 2),
                "unclean.leader.election.enable", "true"));
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        cluster.register(registration(2, new Uuid(11, 2001)));
        cluster.heartbeat(2);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(1);
        assign(1, DIR_A, 0);

        heartbeatWithOffline(1, DIR_A);

        PartitionRegistration partition = cluster.partition("t", 0);
        assertThat(partition.leader()).isEqualTo(2);
        assertThat(partition.isr()).containsExactly(2);
    }

    @Test
    void aReplicaAssignedToADirectoryAlreadyOfflineLeavesTheIsrAtOnce() {
        activateBrokers();
        cluster.createTopic(twoPartitionsOnAllThree());
        heartbeatWithOffline(1, DIR_A);
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);

        assign(1, DIR_A, 0);

        PartitionRegistration partition = cluster.partition("t", 0);
        assertThat(partition.directory(1)).isEqualTo(DIR_A);
        assertThat(partition.leader()).isEqualTo(2);
        assertThat(partition.isr()).containsExactly(2, 3);
    }

    @Test
    void aReplicaInAnOfflineDirectoryMayNotLeadNorRejoinTheIsr() {
        activateBrokers();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));
        assign(1, DIR_A, 0);
        heartbeatWithOffline(1, DIR_A);
        PartitionRegistration partition = cluster.partition("t", 0);
        assertThat(partition.leader()).isEqualTo(2);

        // the leader's AlterPartition adding broker 1 back is refused
        AlterPartitionRequestData alter = new AlterPartitionRequestData().setBrokerId(2)
                        .setBrokerEpoch(cluster.epoch(2));
        alter.topics().add(new AlterPartitionRequestData.TopicData()
                .setTopicId(cluster.topicId("t")).setPartitions(List.of(
                        new AlterPartitionRequestData.PartitionData()
                                .setPartitionIndex(0).setLeaderEpoch(partition.leaderEpoch())
                                .setPartitionEpoch(partition.partitionEpoch())
                                .setNewIsrWithEpochs(List.of(
                                        new AlterPartitionRequestData.BrokerState()
                                                .setBrokerId(2).setBrokerEpoch(cluster.epoch(2)),
                                        new AlterPartitionRequestData.BrokerState()
                                                .setBrokerId(1).setBrokerEpoch(cluster.epoch(1)))))));
        short error = get(cluster.controller.alterPartition(alter, (short) 3)).topics().get(0).partitions().get(0)
                .errorCode();

        assertThat(error).isEqualTo(Errors.INELIGIBLE_REPLICA.code());
        assertThat(cluster.partition("t", 0).isr()).containsExactly(2);
    }

    @Test
    void aNewRegistrationBringsTheDirectoryBack() {
        activateBrokers();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1));
        assign(1, DIR_A, 0);
        heartbeatWithOffline(1, DIR_A);
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(PartitionRegistration.NO_LEADER);

        cluster.advanceWithHeartbeats(9_001, 1);
        assertThat(cluster.fenceExpired()).containsExactly(1);

        assertThat(cluster.register(registration(1, DIR_A, DIR_B).setIncarnationId(new Uuid(12, 1))).errorCode())
                .isEqualTo(Errors.NONE.code());
        cluster.heartbeat(1);

        assertThat(cluster.broker(1).logDirs()).containsExactly(DIR_A, DIR_B);
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);
    }

    @Test
    void aBrokerWithEveryDirectoryOfflineIsFenced() {
        activateBrokers();
        cluster.createTopic(twoPartitionsOnAllThree());

        BrokerHeartbeatResponseData response = heartbeatWithOffline(1, DIR_A, DIR_B);

        assertThat(response.isFenced()).isTrue();
        assertThat(cluster.broker(1).fenced()).isTrue();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("t", 1).isr()).doesNotContain(1);
    }

    /** Broker 1 with directories A and B, brokers 2 and 3 with one each; all unfenced. */
    private void activateBrokers() {
        registerWithDirs(1, DIR_A, DIR_B);
        registerWithDirs(2, new Uuid(11, 2001));
        registerWithDirs(3, new Uuid(11, 3001));
    }

    private void registerWithDirs(int brokerId, Uuid... dirs) {
        assertThat(cluster.register(registration(brokerId, dirs)).errorCode()).isEqualTo(Errors.NONE.code());
        cluster.heartbeat(brokerId);
    }

    private BrokerRegistrationRequestData registration(int brokerId, Uuid... dirs) {
        return ClusterFixture.registration(brokerId, new Uuid(brokerId + 1, cluster.time.milliseconds()), null)
                .setLogDirs(List.of(dirs));
    }

    private static CreatableTopic twoPartitionsOnAllThree() {
        return withAssignment(withAssignment(topic("t", -1, -1), 0, 1, 2, 3), 1, 1, 2, 3);
    }

    private AssignReplicasToDirsRequestData assignment(int brokerId, Uuid dir, int... partitions) {
        AssignReplicasToDirsRequestData.TopicData topic = new AssignReplicasToDirsRequestData.TopicData()
                .setTopicId(cluster.topicId("t"));
        for (int p : partitions) {
            topic.partitions().add(new AssignReplicasToDirsRequestData.PartitionData().setPartitionIndex(p));
        }
        AssignReplicasToDirsRequestData request = new AssignReplicasToDirsRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(cluster.epoch(brokerId));
        request.directories().add(new AssignReplicasToDirsRequestData.DirectoryData().setId(dir)
                .setTopics(List.of(topic)));
        return request;
    }

    private AssignReplicasToDirsResponseData assign(int brokerId, Uuid dir, int... partitions) {
        return get(cluster.controller.assignReplicasToDirs(assignment(brokerId, dir, partitions)));
    }

    private BrokerHeartbeatResponseData heartbeatWithOffline(int brokerId, Uuid... offline) {
        return cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(cluster.epoch(brokerId)).setCurrentMetadataOffset(cluster.image().appliedOffset())
                .setWantFence(false).setOfflineLogDirs(List.of(offline)));
    }
}
