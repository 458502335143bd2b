package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes AlterPartitionReassignments and ListPartitionReassignments as Kafka's controller does
 * (KIP-455; ReplicationControlManager). Stateless; runs on the controller thread.
 *
 * <p><b>Reassign</b> (a partition with target replicas): the target must be non-empty, without
 * duplicates, of registered brokers (else INVALID_REPLICA_ASSIGNMENT), and of the partition's
 * current replica count when the request disallows a replication factor change (v1; else
 * INVALID_REPLICATION_FACTOR). The partition's replicas become the target followed by the replicas
 * it removes, with {@code addingReplicas}/{@code removingReplicas} set ({@link ReplicaAssignment});
 * the leader and ISR stay. The brokers added host the partition and fetch; the leader adds them to
 * the ISR through AlterPartition, and the change that puts the last target replica in the ISR
 * completes the reassignment ({@link PartitionChange}). A target that needs no new replica (a
 * reordering, a removal) completes at once when the remaining replicas are in the ISR. A new target
 * while a reassignment is under way replaces it, as KIP-455 says: it is computed from the replicas
 * before the current one started, and replicas that were being added and are not in the new
 * target leave the replicas and the ISR. A target equal to the replicas with none under way
 * changes nothing.
 *
 * <p><b>Cancel</b> (a partition with null replicas): NO_REASSIGNMENT_IN_PROGRESS when none is
 * under way; else the replicas go back to those before it started, the replicas it was adding leave
 * the ISR, and a leader among them gives way. When only replicas being added were in sync, the
 * first original replica becomes the ISR, an unclean election refused with
 * INVALID_REPLICA_ASSIGNMENT unless {@code unclean.leader.election.enable} holds for the topic.
 *
 * <p>Unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION. Errors are per partition;
 * the records of the partitions that succeeded are appended together.
 *
 * <p><b>List</b>: the partitions with a reassignment under way, with their replicas, adding and
 * removing replicas; all of them when no topics are named, else those of the named partitions
 * (unknown topics and partitions are left out, as Kafka leaves them out).
 */
final class PartitionReassignments {

    private PartitionReassignments() {
    }

    static ControllerResult<AlterPartitionReassignmentsResponseData> alter(
            MetadataImage image, AlterPartitionReassignmentsRequestData request, boolean uncleanDefault) {
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null)
                .setAllowReplicationFactorChange(request.allowReplicationFactorChange());
        List<MetadataRecord> records = new ArrayList<>();
        for (ReassignableTopic topic : request.topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(topic.name());
            response.responses().add(topicResponse);
            for (ReassignablePartition partition : topic.partitions()) {
                ReassignablePartitionResponse result = new ReassignablePartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(Errors.NONE.code())
                        .setErrorMessage(null);
                try {
                    alterOne(image, topic.name(), partition, request.allowReplicationFactorChange(), uncleanDefault)
                            .ifPresent(records::add);
                } catch (ApiException e) {
                    Errors error = Errors.forException(e);
                    result.setErrorCode(error.code()).setErrorMessage(e.getMessage());
                }
                topicResponse.partitions().add(result);
            }
        }
        return new ControllerResult<>(records, response);
    }

    private static Optional<MetadataRecord> alterOne(MetadataImage image, String topicName,
                                                     ReassignablePartition target, boolean allowRfChange,
                                                     boolean uncleanDefault) {
        TopicImage topic = image.topics().byName(topicName).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Unable to find a topic named " + topicName + "."));
        int partitionId = target.partitionIndex();
        PartitionRegistration partition = topic.partition(partitionId).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Unable to find partition " + topicName + ":" + partitionId + "."));
        PartitionChange.Election election = PartitionChange.onlineElection(image, topicName, uncleanDefault);
        Optional<PartitionRegistration> next = target.replicas() == null
                ? cancel(image, topicName, partitionId, partition, election)
                : reassign(image, partition, target.replicas(), allowRfChange, election);
        return next.map(p -> p.toRecord(topic.id(), partitionId));
    }

    private static Optional<PartitionRegistration> reassign(MetadataImage image, PartitionRegistration partition,
                                                            List<Integer> target, boolean allowRfChange,
                                                            PartitionChange.Election election) {
        ManualAssignment.validate(image, target, OptionalInt.empty());
        List<Integer> original = ReplicaAssignment.of(partition).original();
        if (!allowRfChange && target.size() != original.size()) {
            throw new InvalidReplicationFactorException("The replication factor is changed from "
                    + original.size() + " to " + target.size());
        }
        ReplicaAssignment next = ReplicaAssignment.reassign(original, target);
        List<Integer> isr = partition.isr().stream().filter(next.replicas()::contains).toList();
        if (isr.isEmpty()) {
            throw new InvalidReplicaAssignmentException("Unable to replace the reassignment under way with "
                    + target + ": no replica of the new assignment is in sync (isr=" + partition.isr() + ").");
        }
        return PartitionChange.build(partition, next, isr, id -> PartitionChange.isActiveFor(image, id, partition),
                election);
    }

    private static Optional<PartitionRegistration> cancel(MetadataImage image, String topicName, int partitionId,
                                                          PartitionRegistration partition,
                                                          PartitionChange.Election election) {
        ReplicaAssignment current = ReplicaAssignment.of(partition);
        if (!current.isReassigning()) {
            throw new NoReassignmentInProgressException(Errors.NO_REASSIGNMENT_IN_PROGRESS.message());
        }
        List<Integer> replicas = current.original();
        List<Integer> isr = partition.isr().stream().filter(id -> !current.adding().contains(id)).toList();
        if (isr.isEmpty()) {
            if (election != PartitionChange.Election.UNCLEAN) {
                throw new InvalidReplicaAssignmentException("Unable to revert partition assignment for " + topicName
                        + ":" + partitionId + " because it would require an unclean leader election.");
            }
            isr = List.of(replicas.get(0));
        }
        return PartitionChange.build(partition, new ReplicaAssignment(replicas, List.of(), List.of()), isr,
                id -> PartitionChange.isActiveFor(image, id, partition), election);
    }

    static ListPartitionReassignmentsResponseData list(MetadataImage image,
                                                       ListPartitionReassignmentsRequestData request) {
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData()
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        if (request.topics() == null) {
            List<TopicImage> topics = new ArrayList<>(image.topics().all());
            topics.sort(Comparator.comparing(TopicImage::name));
            for (TopicImage topic : topics) {
                addOngoing(response, topic, topic.partitions().keySet());
            }
        } else {
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics named : request.topics()) {
                image.topics().byName(named.name()).ifPresent(topic ->
                        addOngoing(response, topic, named.partitionIndexes()));
            }
        }
        return response;
    }

    private static void addOngoing(ListPartitionReassignmentsResponseData response, TopicImage topic,
                                   Iterable<Integer> partitionIds) {
        OngoingTopicReassignment ongoing = new OngoingTopicReassignment().setName(topic.name());
        for (int partitionId : partitionIds) {
            topic.partition(partitionId).filter(PartitionRegistration::isReassigning).ifPresent(p ->
                    ongoing.partitions().add(new OngoingPartitionReassignment().setPartitionIndex(partitionId)
                            .setReplicas(p.replicas()).setAddingReplicas(p.addingReplicas())
                            .setRemovingReplicas(p.removingReplicas())));
        }
        if (!ongoing.partitions().isEmpty()) {
            response.topics().add(ongoing);
        }
    }
}
