package io.strand.broker.sim;

import io.strand.metadata.record.MetadataRecord;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/** What simulated nodes send each other over the {@link io.strand.common.sim.SimNetwork}. */
sealed interface SimMessage {

    /** A broker asks the controller for the committed metadata after {@code afterOffset}. */
    record MetadataPull(long afterOffset) implements SimMessage {
    }

    /** Committed metadata batches, in order, and the controller's committed end then. */
    record MetadataBatches(List<Batch> batches, long committedEnd) implements SimMessage {
    }

    /** One committed metadata batch. */
    record Batch(long offset, List<MetadataRecord> records) {
    }

    /** A broker's call to the controller (registration, heartbeat, AlterPartition). */
    record ControllerCall(long callId, Object request) implements SimMessage {
    }

    /** The controller's answer: a response message, or an error when the call failed as a whole. */
    record ControllerReply(long callId, Object response, Errors error) implements SimMessage {
    }

    /** A follower's Fetch; {@code roundId} matches the answer to the round in flight. */
    record Fetch(long roundId, FetchRequestData request) implements SimMessage {
    }

    record FetchAnswer(long roundId, FetchResponseData response) implements SimMessage {
    }

    /** The producer's acks=all produce of one record with a unique value. */
    record Produce(long produceId, TopicPartition tp, String value) implements SimMessage {
    }

    /** The leader's answer: the record's offset, or an error (then {@code offset} is -1). */
    record ProduceAnswer(long produceId, long offset, Errors error) implements SimMessage {
    }
}
