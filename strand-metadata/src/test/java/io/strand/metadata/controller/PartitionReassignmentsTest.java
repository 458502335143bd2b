package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData.BrokerState;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partition reassignment (KIP-455) as Kafka's controller runs it: a target widens the replicas,
 * the leader's ISR expansion completes it, a cancel reverts it, and each step's epochs and errors.
 */
class PartitionReassignmentsTest {

    private final ClusterFixture cluster = new ClusterFixture();

    @BeforeEach
    void fourBrokers() {
        cluster.activate(1, 2, 3, 4);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private void createTopic(String name, Integer... replicas) {
        assertThat(cluster.createTopic(withAssignment(topic(name, -1, -1), 0, replicas)).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    private ReassignablePartitionResponse reassign(String topic, int partition, List<Integer> replicas) {
        return reassign(topic, partition, replicas, true);
    }

    private ReassignablePartitionResponse reassign(String topic, int partition, List<Integer> replicas,
                                                   boolean allowRfChange) {
        AlterPartitionReassignmentsRequestData request = new AlterPartitionReassignmentsRequestData()
                .setAllowReplicationFactorChange(allowRfChange);
        request.topics().add(new ReassignableTopic().setName(topic).setPartitions(List.of(
                new ReassignablePartition().setPartitionIndex(partition).setReplicas(replicas))));
        AlterPartitionReassignmentsResponseData response = get(cluster.controller.alterPartitionReassignments(request));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.responses().get(0).name()).isEqualTo(topic);
        return response.responses().get(0).partitions().get(0);
    }

    private ReassignablePartitionResponse cancel(String topic) {
        return reassign(topic, 0, null);
    }

    private List<OngoingPartitionReassignment> ongoing(String topic) {
        ListPartitionReassignmentsResponseData response = get(cluster.controller.listPartitionReassignments(
                new ListPartitionReassignmentsRequestData().setTopics(null)));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        return response.topics().stream().filter(t -> t.name().equals(topic))
                .flatMap(t -> t.partitions().stream()).toList();
    }

    /** The leader of {@code topic}-0 asks for {@code newIsr} at the partition's current epochs. */
    private AlterPartitionResponseData.PartitionData alterIsr(String topic, int... newIsr) {
        PartitionRegistration p = cluster.partition(topic, 0);
        List<BrokerState> isr = new ArrayList<>();
        for (int id : newIsr) {
            isr.add(new BrokerState().setBrokerId(id).setBrokerEpoch(cluster.epoch(id)));
        }
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(p.leader())
                .setBrokerEpoch(cluster.epoch(p.leader()));
        request.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(cluster.topicId(topic))
                .setPartitions(List.of(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                        .setLeaderEpoch(p.leaderEpoch()).setPartitionEpoch(p.partitionEpoch())
                        .setNewIsrWithEpochs(isr))));
        AlterPartitionResponseData response = get(cluster.controller.alterPartition(request, (short) 3));
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        return response.topics().get(0).partitions().get(0);
    }

    @Test
    void movingAReplicaSetWidensItAndCompletesWhenTheNewReplicaJoinsTheIsr() {
        createTopic("t", 1, 2);
        PartitionRegistration before = cluster.partition("t", 0);

        assertThat(reassign("t", 0, List.of(2, 3)).errorCode()).isEqualTo(Errors.NONE.code());

        PartitionRegistration moving = cluster.partition("t", 0);
        assertThat(moving.replicas()).containsExactly(2, 3, 1);
        assertThat(moving.addingReplicas()).containsExactly(3);
        assertThat(moving.removingReplicas()).containsExactly(1);
        assertThat(moving.isr()).containsExactly(1, 2);
        assertThat(moving.leader()).isEqualTo(1);
        assertThat(moving.leaderEpoch()).isEqualTo(before.leaderEpoch());
        assertThat(moving.partitionEpoch()).isEqualTo(before.partitionEpoch() + 1);
        assertThat(ongoing("t")).singleElement().satisfies(p -> {
            assertThat(p.replicas()).containsExactly(2, 3, 1);
            assertThat(p.addingReplicas()).containsExactly(3);
            assertThat(p.removingReplicas()).containsExactly(1);
        });

        // The leader, being removed, adds 3 to the ISR: that completes the move and hands leadership on.
        AlterPartitionResponseData.PartitionData answer = alterIsr("t", 1, 2, 3);

        assertThat(answer.errorCode()).isEqualTo(Errors.NEW_LEADER_ELECTED.code());
        PartitionRegistration done = cluster.partition("t", 0);
        assertThat(done.replicas()).containsExactly(2, 3);
        assertThat(done.isr()).containsExactly(2, 3);
        assertThat(done.leader()).isEqualTo(2);
        assertThat(done.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(done.partitionEpoch()).isEqualTo(before.partitionEpoch() + 2);
        assertThat(done.isReassigning()).isFalse();
        assertThat(ongoing("t")).isEmpty();
    }

    @Test
    void raisingTheReplicationFactorCompletesOnlyWhenEveryNewReplicaIsInSync() {
        createTopic("t", 1);
        PartitionRegistration before = cluster.partition("t", 0);
        reassign("t", 0, List.of(1, 2, 3));
        assertThat(cluster.partition("t", 0).addingReplicas()).containsExactly(2, 3);

        assertThat(alterIsr("t", 1, 2).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(cluster.partition("t", 0).isReassigning()).isTrue();

        AlterPartitionResponseData.PartitionData answer = alterIsr("t", 1, 2, 3);

        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.isr()).containsExactly(1, 2, 3);
        PartitionRegistration done = cluster.partition("t", 0);
        assertThat(done.replicas()).containsExactly(1, 2, 3);
        assertThat(done.isReassigning()).isFalse();
        assertThat(done.leader()).isEqualTo(1);
        assertThat(done.leaderEpoch()).as("no replica left, the leader stays").isEqualTo(before.leaderEpoch());
    }

    @Test
    void cancellingRevertsToTheOriginalReplicasAndDropsAddedOnesFromTheIsr() {
        createTopic("t", 1);
        PartitionRegistration before = cluster.partition("t", 0);
        reassign("t", 0, List.of(2, 3));
        alterIsr("t", 1, 2);
        assertThat(cluster.partition("t", 0).isReassigning()).isTrue();

        assertThat(cancel("t").errorCode()).isEqualTo(Errors.NONE.code());

        PartitionRegistration reverted = cluster.partition("t", 0);
        assertThat(reverted.replicas()).containsExactly(1);
        assertThat(reverted.isr()).containsExactly(1);
        assertThat(reverted.leader()).isEqualTo(1);
        assertThat(reverted.isReassigning()).isFalse();
        assertThat(reverted.leaderEpoch()).as("replicas left the set").isEqualTo(before.leaderEpoch() + 1);
        assertThat(ongoing("t")).isEmpty();

        ReassignablePartitionResponse again = cancel("t");
        assertThat(again.errorCode()).isEqualTo(Errors.NO_REASSIGNMENT_IN_PROGRESS.code());
        assertThat(cluster.partition("t", 0)).isEqualTo(reverted);
    }

    @Test
    void cancellingWhenOnlyAddedReplicasAreInSyncNeedsUncleanElection() {
        createTopic("t", 1, 2);
        createTopicWithUnclean("u", 1, 2);
        for (String topic : List.of("t", "u")) {
            reassign(topic, 0, List.of(3, 4));
            alterIsr(topic, 1, 2, 3);
            alterIsr(topic, 1, 3);
        }
        // Broker 1, the last original replica in sync, is fenced: only an added replica is in sync.
        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();
        assertThat(cluster.partition("t", 0).isr()).containsExactly(3);

        assertThat(cancel("t").errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(cluster.partition("t", 0).isReassigning()).isTrue();

        assertThat(cancel("u").errorCode()).isEqualTo(Errors.NONE.code());
        PartitionRegistration reverted = cluster.partition("u", 0);
        assertThat(reverted.replicas()).containsExactly(1, 2);
        assertThat(reverted.isr()).hasSize(1);
        assertThat(reverted.leader()).isEqualTo(2);
    }

    private void createTopicWithUnclean(String name, Integer... replicas) {
        assertThat(cluster.createTopic(withConfig(withAssignment(topic(name, -1, -1), 0, replicas),
                "unclean.leader.election.enable", "true")).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void aTargetThatAddsNothingCompletesAtOnce() {
        createTopic("t", 1, 2, 3);
        PartitionRegistration before = cluster.partition("t", 0);

        reassign("t", 0, List.of(3, 2, 1));
        PartitionRegistration reordered = cluster.partition("t", 0);
        assertThat(reordered.replicas()).containsExactly(3, 2, 1);
        assertThat(reordered.isReassigning()).isFalse();
        assertThat(reordered.leader()).isEqualTo(1);
        assertThat(reordered.leaderEpoch()).isEqualTo(before.leaderEpoch());
        assertThat(reordered.partitionEpoch()).isEqualTo(before.partitionEpoch() + 1);

        reassign("t", 0, List.of(3, 2));
        PartitionRegistration shrunk = cluster.partition("t", 0);
        assertThat(shrunk.replicas()).containsExactly(3, 2);
        assertThat(shrunk.isr()).containsExactlyInAnyOrder(3, 2);
        assertThat(shrunk.leader()).as("the removed leader gives way to the first target replica").isEqualTo(3);
        assertThat(shrunk.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(shrunk.isReassigning()).isFalse();
    }

    @Test
    void theSameReplicasAgainChangeNothing() {
        createTopic("t", 1, 2);
        PartitionRegistration before = cluster.partition("t", 0);
        long offset = cluster.image().appliedOffset();

        assertThat(reassign("t", 0, List.of(1, 2)).errorCode()).isEqualTo(Errors.NONE.code());

        assertThat(cluster.partition("t", 0)).isEqualTo(before);
        assertThat(cluster.image().appliedOffset()).isEqualTo(offset);
    }

    @Test
    void aNewTargetReplacesTheReassignmentUnderWay() {
        createTopic("r", 1, 2);
        reassign("r", 0, List.of(2, 3));
        assertThat(cluster.partition("r", 0).addingReplicas()).containsExactly(3);

        reassign("r", 0, List.of(2, 4));

        PartitionRegistration replaced = cluster.partition("r", 0);
        assertThat(replaced.replicas()).containsExactly(2, 4, 1);
        assertThat(replaced.addingReplicas()).containsExactly(4);
        assertThat(replaced.removingReplicas()).containsExactly(1);
        assertThat(replaced.isr()).containsExactly(1, 2);
    }

    @Test
    void aReplacedTargetDropsTheReplicasItNoLongerAddsFromTheIsr() {
        createTopic("t", 1);
        reassign("t", 0, List.of(1, 2, 3));
        alterIsr("t", 1, 2);

        reassign("t", 0, List.of(1, 3));

        PartitionRegistration replaced = cluster.partition("t", 0);
        assertThat(replaced.replicas()).containsExactly(1, 3);
        assertThat(replaced.addingReplicas()).containsExactly(3);
        assertThat(replaced.removingReplicas()).isEmpty();
        assertThat(replaced.isr()).containsExactly(1);
    }

    @Test
    void fencingDuringAReassignmentKeepsItAndTheNextLeaderCompletesIt() {
        createTopic("t", 1, 2);
        reassign("t", 0, List.of(2, 3));
        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();

        PartitionRegistration fenced = cluster.partition("t", 0);
        assertThat(fenced.leader()).isEqualTo(2);
        assertThat(fenced.isr()).containsExactly(2);
        assertThat(fenced.addingReplicas()).containsExactly(3);
        assertThat(fenced.removingReplicas()).containsExactly(1);

        assertThat(alterIsr("t", 2, 3).errorCode()).isEqualTo(Errors.NONE.code());
        PartitionRegistration done = cluster.partition("t", 0);
        assertThat(done.replicas()).containsExactly(2, 3);
        assertThat(done.isr()).containsExactly(2, 3);
        assertThat(done.leader()).isEqualTo(2);
    }

    @Test
    void anIsrChangeAtThePartitionEpochBeforeTheReassignmentIsRefused() {
        createTopic("t", 1, 2);
        PartitionRegistration before = cluster.partition("t", 0);
        reassign("t", 0, List.of(1, 2, 3));

        AlterPartitionRequestData stale = new AlterPartitionRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1));
        stale.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(cluster.topicId("t"))
                .setPartitions(List.of(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                        .setLeaderEpoch(before.leaderEpoch()).setPartitionEpoch(before.partitionEpoch())
                        .setNewIsrWithEpochs(List.of(new BrokerState().setBrokerId(1).setBrokerEpoch(cluster.epoch(1)),
                                new BrokerState().setBrokerId(2).setBrokerEpoch(cluster.epoch(2)),
                                new BrokerState().setBrokerId(3).setBrokerEpoch(cluster.epoch(3)))))));
        AlterPartitionResponseData response = get(cluster.controller.alterPartition(stale, (short) 3));

        assertThat(response.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.INVALID_UPDATE_VERSION.code());
        assertThat(cluster.partition("t", 0).isReassigning()).isTrue();
    }

    @Test
    void badTargetsAreRefusedAsKafkaRefusesThemAndChangeNothing() {
        createTopic("t", 1, 2);
        PartitionRegistration before = cluster.partition("t", 0);

        assertThat(reassign("nope", 0, List.of(1)).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(reassign("t", 7, List.of(1)).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(reassign("t", -1, List.of(1)).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(reassign("t", 0, List.of()).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(reassign("t", 0, List.of(2, 2)).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(reassign("t", 0, List.of(2, 9)).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(reassign("t", 0, List.of(-1)).errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        ReassignablePartitionResponse rf = reassign("t", 0, List.of(1, 2, 3), false);
        assertThat(rf.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(rf.errorMessage()).contains("from 2 to 3");
        assertThat(reassign("t", 0, List.of(2, 3), false).errorCode()).isEqualTo(Errors.NONE.code());

        assertThat(cluster.partition("t", 0).replicas()).containsExactly(2, 3, 1);
        assertThat(cluster.partition("t", 0).partitionEpoch()).isEqualTo(before.partitionEpoch() + 1);
    }

    @Test
    void listingNamedPartitionsLeavesOutUnknownAndIdleOnes() {
        createTopic("t", 1);
        createTopic("idle", 1);
        reassign("t", 0, List.of(1, 2));

        ListPartitionReassignmentsRequestData request = new ListPartitionReassignmentsRequestData().setTopics(List.of(
                new ListPartitionReassignmentsTopics().setName("t").setPartitionIndexes(List.of(0, 5)),
                new ListPartitionReassignmentsTopics().setName("idle").setPartitionIndexes(List.of(0)),
                new ListPartitionReassignmentsTopics().setName("nope").setPartitionIndexes(List.of(0))));
        ListPartitionReassignmentsResponseData response = get(cluster.controller.listPartitionReassignments(request));

        assertThat(response.topics()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("t");
            assertThat(t.partitions()).singleElement().satisfies(p -> {
                assertThat(p.partitionIndex()).isZero();
                assertThat(p.addingReplicas()).containsExactly(2);
            });
        });
    }
}
