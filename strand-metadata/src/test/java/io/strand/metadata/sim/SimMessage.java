package io.strand.metadata.sim;

import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** What travels over the simulated network between controller nodes and clients. */
sealed interface SimMessage {

    /** A follower asks the leader for the committed entries from {@code fetchOffset} on. */
    record Fetch(int followerId, long fetchOffset) implements SimMessage {
    }

    /** The leader's answer: entries from the asked offset on (possibly none). */
    record FetchEntries(int leaderEpoch, List<LogEntry> entries) implements SimMessage {
    }

    /** The leader's answer when the asked offset is before its log start: its snapshot. */
    record FetchSnapshot(int leaderEpoch, Snapshot snapshot) implements SimMessage {
    }

    /** A client's controller operation; one attempt of it. */
    record Request(long attemptId, Op op) implements SimMessage {
    }

    /**
     * A controller's answer. {@code ackOffset} is the leader's applied offset when the operation
     * completed (the operation is applied at or before it).
     */
    record Response(long attemptId, Outcome outcome, long ackOffset) implements SimMessage {
        Errors error() {
            return outcome.error();
        }
    }

    /**
     * What the controller answered: the error, the topic id for topic operations that know it,
     * the first id of an allocated producer id block (-1 otherwise), and for broker lifecycle and
     * AlterPartition operations the response data itself ({@code reply}, else null).
     */
    record Outcome(Errors error, Uuid topicId, long firstProducerId, ApiMessage reply) {
        Outcome(Errors error, Uuid topicId, long firstProducerId) {
            this(error, topicId, firstProducerId, null);
        }

        static Outcome of(Errors error) {
            return new Outcome(error, null, -1);
        }
    }

    /** The controller operations the simulated clients send. */
    sealed interface Op {
    }

    record CreateTopic(String name, int partitions, short replicationFactor) implements Op {
    }

    record DeleteTopic(String name) implements Op {
    }

    record CreatePartitions(String name, int count) implements Op {
    }

    record AlterTopicConfig(String name, String key, String value) implements Op {
    }

    record RegisterBroker(RegisterBrokerRecord registration) implements Op {
    }

    record AllocateProducerIds(int brokerId, int blockSize) implements Op {
    }

    /** A broker's registration through its lifecycle (BrokerRegistration). */
    record LifecycleRegistration(BrokerRegistrationRequestData request) implements Op {
    }

    /** A broker's heartbeat. */
    record Heartbeat(BrokerHeartbeatRequestData request) implements Op {
    }

    /** A partition leader's ISR change, sent as AlterPartition v3. */
    record AlterIsr(AlterPartitionRequestData request) implements Op {
    }
}
