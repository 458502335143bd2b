package io.strand.broker.replica;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition's ISR change as an AlterPartition exchange with the controller: the request (v3:
 * topic id, the ISR with each member's broker epoch, the leader and partition epochs it builds on)
 * and what an answer means for the pending change. Stateless.
 *
 * <p>Outcomes, as Kafka's leader handles them:
 * <table>
 *   <tr><th>answer</th><th>outcome</th></tr>
 *   <tr><td>NONE</td><td>{@link Outcome#COMMIT}: the answer's ISR and partition epoch are in use</td></tr>
 *   <tr><td>OPERATION_NOT_ATTEMPTED, INELIGIBLE_REPLICA</td><td>{@link Outcome#DROP}: back to the
 *       ISR in use; the next fetch or check may propose again</td></tr>
 *   <tr><td>INVALID_UPDATE_VERSION, FENCED_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID,
 *       NOT_LEADER_OR_FOLLOWER</td><td>{@link Outcome#AWAIT_METADATA}: this leader's view is stale; the
 *       change stays pending, blocking others, until the metadata brings the partition's state</td></tr>
 *   <tr><td>anything else, or no answer</td><td>{@link Outcome#DROP}, proposed again later</td></tr>
 * </table>
 */
final class AlterPartitionExchange {

    /** What an answer does to the pending ISR change. */
    enum Outcome {
        /** The controller accepted the change. */
        COMMIT,
        /** The change is dropped: the ISR in use stays, and another may be proposed. */
        DROP,
        /** The change stays pending until the metadata shows the partition's newer state. */
        AWAIT_METADATA;

        static Outcome of(Errors error) {
            return switch (error) {
                case NONE -> COMMIT;
                case INVALID_UPDATE_VERSION, FENCED_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID,
                     NOT_LEADER_OR_FOLLOWER -> AWAIT_METADATA;
                default -> DROP;
            };
        }
    }

    private AlterPartitionExchange() {
    }

    static AlterPartitionRequestData request(TopicPartition tp, Uuid topicId, int localBrokerId, long localBrokerEpoch,
                                             int leaderEpoch, int partitionEpoch,
                                             List<AlterPartitionRequestData.BrokerState> newIsr) {
        AlterPartitionRequestData request = new AlterPartitionRequestData()
                .setBrokerId(localBrokerId)
                .setBrokerEpoch(localBrokerEpoch);
        AlterPartitionRequestData.TopicData topic = new AlterPartitionRequestData.TopicData().setTopicId(topicId);
        topic.partitions().add(new AlterPartitionRequestData.PartitionData()
                .setPartitionIndex(tp.partition())
                .setLeaderEpoch(leaderEpoch)
                .setNewIsrWithEpochs(newIsr)
                .setLeaderRecoveryState((byte) 0)
                .setPartitionEpoch(partitionEpoch));
        request.topics().add(topic);
        return request;
    }

    /**
     * The answer for partition {@code tp} of {@code topicId}: its own, or one carrying the top-level
     * error, or {@code UNKNOWN_SERVER_ERROR} if the answer leaves it out.
     */
    static AlterPartitionResponseData.PartitionData answerFor(AlterPartitionResponseData response, Uuid topicId,
                                                              TopicPartition tp) {
        if (response.errorCode() != Errors.NONE.code()) {
            return new AlterPartitionResponseData.PartitionData().setErrorCode(response.errorCode());
        }
        for (AlterPartitionResponseData.TopicData topic : response.topics()) {
            if (topic.topicId().equals(topicId)) {
                for (AlterPartitionResponseData.PartitionData p : topic.partitions()) {
                    if (p.partitionIndex() == tp.partition()) {
                        return p;
                    }
                }
            }
        }
        return new AlterPartitionResponseData.PartitionData().setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
    }
}
