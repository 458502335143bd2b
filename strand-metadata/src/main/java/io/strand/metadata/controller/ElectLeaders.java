package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes an ElectLeaders request as Kafka does (ReplicationControlManager.electLeaders), per
 * partition:
 * <ul>
 *   <li>unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION;</li>
 *   <li>PREFERRED when the first replica already leads, UNCLEAN when there is a leader:
 *       ELECTION_NOT_NEEDED;</li>
 *   <li>PREFERRED: the first replica leads if it is an active ISR member, else
 *       PREFERRED_LEADER_NOT_AVAILABLE (a leaderless partition may still get another ISR member);</li>
 *   <li>UNCLEAN: an active ISR member, else an active replica outside the ISR, else
 *       ELIGIBLE_LEADERS_NOT_AVAILABLE.</li>
 * </ul>
 * With no partitions named (null) every partition is tried and ELECTION_NOT_NEEDED is left out of
 * the answer. An unknown election type fails the whole request with INVALID_REQUEST. Runs on the
 * controller thread.
 */
final class ElectLeaders {

    private ElectLeaders() {
    }

    static ControllerResult<ElectLeadersResponseData> compute(MetadataImage image, ElectLeadersRequestData request) {
        ElectLeadersResponseData response = new ElectLeadersResponseData().setErrorCode(Errors.NONE.code());
        ElectionType type;
        try {
            type = ElectionType.valueOf(request.electionType());
        } catch (IllegalArgumentException e) {
            return ControllerResult.of(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        if (request.topicPartitions() == null) {
            List<TopicImage> topics = new ArrayList<>(image.topics().all());
            topics.sort(Comparator.comparing(TopicImage::name));
            for (TopicImage topic : topics) {
                ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic.name());
                response.replicaElectionResults().add(result);
                for (int partitionId : topic.partitions().keySet()) {
                    PartitionResult one = electOne(image, topic.name(), partitionId, type, records);
                    if (one.errorCode() != Errors.ELECTION_NOT_NEEDED.code()) {
                        result.partitionResult().add(one);
                    }
                }
            }
        } else {
            for (ElectLeadersRequestData.TopicPartitions topic : request.topicPartitions()) {
                ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic.topic());
                response.replicaElectionResults().add(result);
                for (int partitionId : topic.partitions()) {
                    result.partitionResult().add(electOne(image, topic.topic(), partitionId, type, records));
                }
            }
        }
        return new ControllerResult<>(records, response);
    }

    private static PartitionResult electOne(MetadataImage image, String topicName, int partitionId, ElectionType type,
                                            List<MetadataRecord> records) {
        PartitionResult result = new PartitionResult().setPartitionId(partitionId);
        Optional<TopicImage> topic = image.topics().byName(topicName);
        PartitionRegistration partition = topic.flatMap(t -> t.partition(partitionId)).orElse(null);
        if (partition == null) {
            return error(result, Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + topicName + "-" + partitionId);
        }
        boolean preferred = type == ElectionType.PREFERRED;
        if (preferred ? partition.leader() == partition.replicas().get(0) : partition.hasLeader()) {
            return error(result, Errors.ELECTION_NOT_NEEDED, Errors.ELECTION_NOT_NEEDED.message());
        }
        Optional<PartitionRegistration> next = PartitionChange.build(partition, partition.isr(),
                id -> PartitionChange.isActiveFor(image, id, partition),
                preferred ? PartitionChange.Election.PREFERRED : PartitionChange.Election.UNCLEAN);
        if (next.isEmpty()) {
            Errors error = preferred ? Errors.PREFERRED_LEADER_NOT_AVAILABLE : Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE;
            return error(result, error, error.message());
        }
        records.add(next.get().toRecord(topic.get().id(), partitionId));
        return result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
    }

    private static PartitionResult error(PartitionResult result, Errors error, String message) {
        return result.setErrorCode(error.code()).setErrorMessage(message);
    }
}
