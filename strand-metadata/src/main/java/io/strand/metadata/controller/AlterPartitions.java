package io.strand.metadata.controller;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData.BrokerState;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes an AlterPartition request, a partition leader's ISR change, with Kafka's checks and
 * answers (ReplicationControlManager.alterPartition):
 * <ul>
 *   <li>the sender must be registered with the request's broker epoch, else STALE_BROKER_EPOCH for
 *       the whole request;</li>
 *   <li>an unknown topic id is UNKNOWN_TOPIC_ID, an unknown partition UNKNOWN_TOPIC_OR_PARTITION;</li>
 *   <li>a leader or partition epoch newer than the controller's is NOT_CONTROLLER (this controller
 *       is behind), an older leader epoch FENCED_LEADER_EPOCH, a sender that is not the leader
 *       INVALID_REQUEST, an older partition epoch INVALID_UPDATE_VERSION;</li>
 *   <li>the new ISR must be replicas, without duplicates, holding the leader (else INVALID_REQUEST),
 *       and every member registered, unfenced, not shutting down and (v3, epoch not -1) of the
 *       given broker epoch, else INELIGIBLE_REPLICA;</li>
 *   <li>a leader recovering from an unclean election is not modelled: RECOVERING is INVALID_REQUEST.</li>
 * </ul>
 * Success writes the partition with the new ISR and partition epoch + 1, and answers that state.
 * Versions 2 and 3 (the ones kafka-clients 4 speaks): topics by id; v3 carries broker epochs in
 * the ISR entries, v2 plain ids (checked as epoch -1).
 * Runs on the controller thread.
 */
final class AlterPartitions {

    private static final byte RECOVERED = 0;

    private AlterPartitions() {
    }

    static ControllerResult<AlterPartitionResponseData> compute(MetadataImage image, AlterPartitionRequestData request,
                                                                short version, boolean uncleanDefault) {
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        BrokerRegistration sender = image.brokers().get(request.brokerId());
        if (sender == null || request.brokerEpoch() != -1 && sender.brokerEpoch() != request.brokerEpoch()) {
            return ControllerResult.of(response.setErrorCode(Errors.STALE_BROKER_EPOCH.code()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData topicData : request.topics()) {
            AlterPartitionResponseData.TopicData topicResponse = new AlterPartitionResponseData.TopicData()
                    .setTopicId(topicData.topicId());
            response.topics().add(topicResponse);
            Optional<TopicImage> topic = image.topics().byId(topicData.topicId());
            if (topic.isEmpty()) {
                Errors error = Errors.UNKNOWN_TOPIC_ID;
                for (AlterPartitionRequestData.PartitionData partitionData : topicData.partitions()) {
                    topicResponse.partitions().add(partitionError(partitionData.partitionIndex(), error));
                }
                continue;
            }
            PartitionChange.Election election =
                    PartitionChange.onlineElection(image, topic.get().name(), uncleanDefault);
            for (AlterPartitionRequestData.PartitionData partitionData : topicData.partitions()) {
                int partitionId = partitionData.partitionIndex();
                List<BrokerState> newIsr = version < 3
                        ? partitionData.newIsr().stream().map(id -> new BrokerState().setBrokerId(id).setBrokerEpoch(-1))
                                .toList()
                        : partitionData.newIsrWithEpochs();
                PartitionRegistration partition = topic.get().partitions().get(partitionId);
                Errors error = validate(image, request.brokerId(), partition, partitionData, newIsr);
                if (error != Errors.NONE) {
                    topicResponse.partitions().add(partitionError(partitionId, error));
                    continue;
                }
                List<Integer> isr = newIsr.stream().map(BrokerState::brokerId).toList();
                PartitionRegistration current = partition;
                Optional<PartitionRegistration> next = PartitionChange.build(partition, isr,
                        id -> PartitionChange.isActiveFor(image, id, current), election);
                if (next.isPresent()) {
                    if (next.get().leader() != request.brokerId()) {
                        topicResponse.partitions().add(partitionError(partitionId,
                                Errors.NEW_LEADER_ELECTED));
                        records.add(next.get().toRecord(topic.get().id(), partitionId));
                        continue;
                    }
                    partition = next.get();
                    records.add(partition.toRecord(topic.get().id(), partitionId));
                }
                topicResponse.partitions().add(new AlterPartitionResponseData.PartitionData()
                        .setPartitionIndex(partitionId).setErrorCode(Errors.NONE.code())
                        .setLeaderId(partition.leader()).setLeaderEpoch(partition.leaderEpoch())
                        .setIsr(partition.isr()).setLeaderRecoveryState(RECOVERED)
                        .setPartitionEpoch(partition.partitionEpoch()));
            }
        }
        return new ControllerResult<>(records, response);
    }

    private static Errors validate(MetadataImage image, int brokerId, PartitionRegistration partition,
                                   AlterPartitionRequestData.PartitionData data, List<BrokerState> newIsr) {
        if (partition == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (data.leaderEpoch() > partition.leaderEpoch() || data.partitionEpoch() > partition.partitionEpoch()) {
            return Errors.NOT_CONTROLLER;
        }
        if (data.leaderEpoch() < partition.leaderEpoch()) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (brokerId != partition.leader()) {
            return Errors.INVALID_REQUEST;
        }
        if (data.partitionEpoch() < partition.partitionEpoch()) {
            return Errors.INVALID_UPDATE_VERSION;
        }
        HashSet<Integer> seen = new HashSet<>();
        for (BrokerState member : newIsr) {
            if (!partition.replicas().contains(member.brokerId()) || !seen.add(member.brokerId())) {
                return Errors.INVALID_REQUEST;
            }
        }
        if (!seen.contains(partition.leader()) || data.leaderRecoveryState() != RECOVERED) {
            return Errors.INVALID_REQUEST;
        }
        for (BrokerState member : newIsr) {
            BrokerRegistration broker = image.brokers().get(member.brokerId());
            if (broker == null || !broker.isActive() || !broker.hasOnlineDir(partition.directory(member.brokerId()))
                    || member.brokerEpoch() != -1 && member.brokerEpoch() != broker.brokerEpoch()) {
                return Errors.INELIGIBLE_REPLICA;
            }
        }
        return Errors.NONE;
    }

    private static AlterPartitionResponseData.PartitionData partitionError(int partitionId, Errors error) {
        return new AlterPartitionResponseData.PartitionData().setPartitionIndex(partitionId)
                .setErrorCode(error.code());
    }
}
