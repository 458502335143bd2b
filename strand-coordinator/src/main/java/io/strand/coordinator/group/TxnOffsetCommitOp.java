package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit on one shard: a transactional producer commits a consumer group's offsets inside its
 * transaction. Validated as Kafka's group coordinator validates it, then turned into one offset record
 * per partition, which the runtime writes in a transactional batch of the producer
 * ({@link io.strand.coordinator.runtime.CoordinatorRuntime#scheduleTransactionalWriteOperation}); they
 * stay pending ({@link PendingTxnOffsets}) until the producer's marker.
 *
 * <p>Validation, for the whole request (every partition gets the error):
 * <ul>
 *   <li>a negative producer id: INVALID_PRODUCER_ID_MAPPING; a negative producer epoch:
 *       INVALID_PRODUCER_EPOCH (no transactional batch can carry them); an epoch older than the one the
 *       producer's pending offsets here were written with: INVALID_PRODUCER_EPOCH (a fenced producer,
 *       which the log would refuse; answered here, it costs no append and no reload of the shard);</li>
 *   <li>an unknown group: accepted with no generation ({@code generationId < 0}, v0–2 always), a simple
 *       group is created; else ILLEGAL_GENERATION;</li>
 *   <li>a classic group: DEAD gives COORDINATOR_NOT_AVAILABLE; no generation and EMPTY is accepted; a
 *       request naming a generation, member id or instance id (v3+) needs a known, unfenced member
 *       (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) of the current generation (ILLEGAL_GENERATION); one naming
 *       none of them (v0–2) is accepted. Unlike OffsetCommit, a group completing a rebalance takes it;</li>
 *   <li>a consumer-protocol group: without member epoch accepted while it has no members, and always
 *       from a producer that names no group member at all (epoch -1, member id "", no instance id: v0–2,
 *       or a producer not sending the consumer's group metadata); else the member must exist
 *       (UNKNOWN_MEMBER_ID) and not be given an epoch newer than its own (ILLEGAL_GENERATION, as Kafka
 *       answers a stale member epoch here). An older epoch is checked partition by partition below.</li>
 * </ul>
 * Per partition: metadata longer than {@code offset.metadata.max.bytes} gets OFFSET_METADATA_TOO_LARGE,
 * a topic without a name UNKNOWN_TOPIC_OR_PARTITION (the broker answers unknown topics itself). With an
 * older member epoch (KIP-1251), every other partition must have been given to the member at that epoch
 * or before (assigned or pending revocation); one that was not fails the request as a whole with
 * ILLEGAL_GENERATION, as Kafka 4.3's coordinator lets that partition's error end the whole commit
 * (OffsetCommit answers it for the partition alone).
 *
 * <p>Not thread-safe: runs on the shard's thread; reads the store, changes nothing.
 */
final class TxnOffsetCommitOp {

    private final ShardContext context;
    private final GroupStore store;

    TxnOffsetCommitOp(ShardContext context, GroupStore store) {
        this.context = context;
        this.store = store;
    }

    CoordinatorResult<TxnOffsetCommitResponseData, CoordinatorRecord> commit(TxnOffsetCommitRequestData request) {
        Errors requestError = validate(request);
        if (requestError != Errors.NONE) {
            return CoordinatorResult.response(OffsetResponses.txnCommitError(request, requestError));
        }
        ConsumerMember olderEpochMember = olderEpochMember(request);
        long nowMs = context.nowMs();
        List<CoordinatorRecord> records = new ArrayList<>();
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestTopic topic : request.topics()) {
            TxnOffsetCommitResponseTopic out = new TxnOffsetCommitResponseTopic().setName(topic.name());
            for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                Errors error = Errors.NONE;
                if (topic.name() == null || topic.name().isEmpty()) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (p.committedMetadata() != null
                        && p.committedMetadata().length() > context.config().offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else if (olderEpochMember != null && !heldSince(olderEpochMember, request.generationId(),
                        topic.name(), p.partitionIndex())) {
                    return CoordinatorResult.response(OffsetResponses.txnCommitError(request, Errors.ILLEGAL_GENERATION));
                } else {
                    OffsetKey key = new OffsetKey(request.groupId(), topic.name(), p.partitionIndex());
                    String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                    records.add(new CoordinatorRecord(key, new OffsetValue(p.committedOffset(),
                            p.committedLeaderEpoch(), metadata, nowMs, -1L)));
                }
                out.partitions().add(new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(error.code()));
            }
            response.topics().add(out);
        }
        return CoordinatorResult.of(records, response);
    }

    private Errors validate(TxnOffsetCommitRequestData request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (request.producerId() < 0) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (request.producerEpoch() < 0
                || request.producerEpoch() < store.pendingTxnOffsets().pendingEpoch(request.producerId())) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        int generationId = request.generationId();
        ConsumerGroup consumerGroup = store.consumerGroup(request.groupId());
        if (consumerGroup != null) {
            if (generationId < 0 && consumerGroup.isEmpty() || namesNoMember(request)) {
                return Errors.NONE;
            }
            ConsumerMember member = request.memberId() == null ? null : consumerGroup.member(request.memberId());
            if (member == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return generationId <= member.memberEpoch() ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        ClassicGroup group = store.group(request.groupId());
        if (group == null) {
            return generationId < 0 ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        return group.validateOffsetCommit(request.memberId(), request.groupInstanceId(), generationId, true);
    }

    /** A producer's commit naming no member of the group: Kafka takes it whatever the group's members. */
    private static boolean namesNoMember(TxnOffsetCommitRequestData request) {
        return request.generationId() == -1 && "".equals(request.memberId()) && request.groupInstanceId() == null;
    }

    /** The consumer-protocol member of a validated commit that gives an epoch older than its own, or null. */
    private ConsumerMember olderEpochMember(TxnOffsetCommitRequestData request) {
        ConsumerGroup group = store.consumerGroup(request.groupId());
        if (group == null || namesNoMember(request) || request.memberId() == null) {
            return null;
        }
        ConsumerMember member = group.member(request.memberId());
        return member != null && request.generationId() < member.memberEpoch() ? member : null;
    }

    /** Whether the member was given the partition at {@code epoch} or before and still holds or revokes it. */
    private static boolean heldSince(ConsumerMember member, int epoch, String topic, int partition) {
        Integer given = member.assignment().assignmentEpochOf(topic, partition);
        return given != null && epoch >= given;
    }
}
