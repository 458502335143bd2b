package io.strand.broker.api.produce;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.CloseConnectionException;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedProduce;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.record.RecordErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce (v3–13; v0–2 are advertised, as Kafka 4 does for old librdkafka, and refused): appends each
 * partition's batch through its leader {@link Partition} and answers with the base offset, log append
 * time and log start offset, or the partition's error code.
 *
 * <p>acks=0 gets no response; an error there closes the connection, the only signal such a
 * producer can see. acks=1 answers after the local append. acks=all answers once the high watermark
 * has passed each partition's batch: at once when the ISR is this broker alone (the append moved it),
 * else from a {@link DelayedProduce} — {@code REQUEST_TIMED_OUT} for the partitions the request's
 * timeout finds unreplicated, {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank below
 * {@code min.insync.replicas} meanwhile. Topics are named (≤ v12) or given by id (v13).
 *
 * <p>{@code NOT_LEADER_OR_FOLLOWER} answers (v10+, KIP-951) carry the partition's current leader and
 * epoch as the metadata knows them, and that leader's endpoint on the request's listener.
 *
 * <p><b>Internal topics.</b> A client may not append to a topic Kafka treats as internal
 * ({@code Topic.isInternal}: {@code __consumer_offsets}, {@code __transaction_state},
 * {@code __share_group_state}): the partition gets {@code INVALID_TOPIC_EXCEPTION} ("Cannot append to
 * internal topic …", Kafka's {@code InvalidTopicException}), which the Java producer raises as
 * {@code InvalidTopicException}. The group coordinator writes its records to the log directly, not
 * through this handler. Kafka lets a client whose id is {@code __admin_client} through (its
 * {@code internalTopicsAllowed}); that exemption rests on ACLs in Kafka, and this broker has none, so
 * here it would let any client that names itself so corrupt every group's offsets: no client id is
 * exempt.
 *
 * <p><b>Refused records.</b> A batch the log refuses gets the exception's error code and message; when
 * the log names the records at fault ({@link RecordErrors}: a record without key in a compacted topic,
 * a timestamp out of range), they go back as {@code record_errors} (v8+, KIP-467), as Kafka does.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {

    /**
     * Advertised from v0 as Kafka advertises Produce, although v0–2 were removed (KIP-896) and are
     * not parsed: requests start at {@link #MIN_SERVED_VERSION}.
     */
    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 13;
    /** The oldest Produce version kafka-clients parses and this handler serves. */
    static final short MIN_SERVED_VERSION = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    /** The first version whose NOT_LEADER_OR_FOLLOWER answers carry the current leader (KIP-951). */
    private static final short FIRST_LEADER_HINT_VERSION = 10;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;

    public ProduceHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image) {
        this.replicaManager = replicaManager;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public boolean servesVersion(short version) {
        return version >= MIN_SERVED_VERSION && version <= MAX_VERSION;
    }

    @Override
    public CompletableFuture<ProduceResponseData> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        MetadataImage current = image.get();
        ProduceResponseData response = new ProduceResponseData();
        List<DelayedProduce.Waiting> waiting = new ArrayList<>();
        boolean anyError = false;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = request.version() >= FIRST_TOPIC_ID_VERSION
                    ? current.topics().byId(topicData.topicId())
                    : current.topics().byName(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse result;
                if (acks != 0 && acks != 1 && acks != -1) {
                    result = error(partitionData.index(), Errors.INVALID_REQUIRED_ACKS, "acks=" + acks);
                } else if (topic.isEmpty()) {
                    Errors error = request.version() >= FIRST_TOPIC_ID_VERSION
                            ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    result = error(partitionData.index(), error, null);
                } else if (Topic.isInternal(topic.get().name())) {
                    result = error(partitionData.index(), Errors.INVALID_TOPIC_EXCEPTION,
                            "Cannot append to internal topic " + topic.get().name());
                } else {
                    result = append(topic.get(), partitionData, acks, data.transactionalId(), waiting);
                }
                if (result.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code() && topic.isPresent()
                        && request.version() >= FIRST_LEADER_HINT_VERSION) {
                    addLeaderHint(current, context.listenerName(), topic.get(), result, response);
                }
                anyError |= result.errorCode() != Errors.NONE.code();
                topicResponse.partitionResponses().add(result);
            }
            response.responses().add(topicResponse);
        }
        if (acks == 0) {
            if (anyError) {
                return CompletableFuture.failedFuture(new CloseConnectionException(
                        "an acks=0 produce request failed: " + response));
            }
            return CompletableFuture.completedFuture(null);
        }
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return new DelayedProduce(waiting).start(context.eventLoop(), data.timeoutMs()).thenApply(done -> response);
    }

    /** KIP-951: where the partition's leader is now, so that the producer need not ask the metadata. */
    private static void addLeaderHint(MetadataImage current, String listenerName, TopicImage topic,
                                      PartitionProduceResponse result, ProduceResponseData response) {
        PartitionRegistration registration = topic.partitions().get(result.index());
        if (registration == null || !registration.hasLeader()) {
            return;
        }
        result.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()
                .setLeaderId(registration.leader()).setLeaderEpoch(registration.leaderEpoch()));
        BrokerRegistration leader = current.brokers().get(registration.leader());
        // As Kafka: only a live (unfenced) leader's endpoint is given.
        if (leader == null || leader.fenced() || response.nodeEndpoints().find(registration.leader()) != null) {
            return;
        }
        leader.endpoint(listenerName).ifPresent(endpoint -> response.nodeEndpoints().add(
                new ProduceResponseData.NodeEndpoint().setNodeId(registration.leader()).setHost(endpoint.host())
                        .setPort(endpoint.port()).setRack(leader.rack())));
    }

    private PartitionProduceResponse append(TopicImage topic,
                                            ProduceRequestData.PartitionProduceData partitionData, short acks,
                                            String transactionalId, List<DelayedProduce.Waiting> waiting) {
        TopicPartition tp = new TopicPartition(topic.name(), partitionData.index());
        Optional<Partition> partition = replicaManager.partition(tp);
        if (partition.isEmpty()) {
            Errors error = replicaManager.isOffline(tp) ? Errors.KAFKA_STORAGE_ERROR
                    : topic.partitions().containsKey(partitionData.index())
                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            return error(partitionData.index(), error, null);
        }
        BaseRecords records = partitionData.records();
        if (!(records instanceof MemoryRecords memoryRecords)) {
            return error(partitionData.index(), Errors.CORRUPT_MESSAGE, "no record batch");
        }
        if (transactionalId != null) {
            return error(partitionData.index(), Errors.INVALID_TXN_STATE,
                    "transactions are not supported yet");
        }
        try {
            Partition leader = partition.get();
            LogAppendResult result = leader.appendAsLeader(memoryRecords, acks, leader.minInsyncReplicas());
            replicaManager.notifyAppended(tp);
            PartitionProduceResponse answer = new PartitionProduceResponse()
                    .setIndex(partitionData.index())
                    .setBaseOffset(result.firstOffset())
                    .setLogAppendTimeMs(result.logAppendTimeMs())
                    .setLogStartOffset(result.logStartOffset());
            if (acks == -1 && leader.highWatermark() <= result.lastOffset()) {
                waiting.add(new DelayedProduce.Waiting(leader.awaitHighWatermark(result.lastOffset() + 1),
                        () -> leader.maximalIsr().size() < leader.minInsyncReplicas()
                                ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND : Errors.NONE,
                        error -> {
                            if (error != Errors.NONE) {
                                answer.setErrorCode(error.code()).setErrorMessage(error.message())
                                        .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                            }
                        }));
            }
            return answer;
        } catch (ApiException e) {
            PartitionProduceResponse result = error(partitionData.index(), Errors.forException(e), e.getMessage());
            if (e instanceof RecordErrors refused) {
                for (ProduceResponse.RecordError recordError : refused.recordErrors()) {
                    result.recordErrors().add(new BatchIndexAndErrorMessage()
                            .setBatchIndex(recordError.batchIndex)
                            .setBatchIndexErrorMessage(recordError.message));
                }
            }
            return result;
        } catch (RuntimeException e) {
            LOG.error("Append to {} failed", tp, e);
            return error(partitionData.index(), Errors.forException(e), e.getMessage());
        }
    }

    private static PartitionProduceResponse error(int partition, Errors error, String message) {
        return new PartitionProduceResponse()
                .setIndex(partition)
                .setErrorCode(error.code())
                .setErrorMessage(message != null ? message : error.message())
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }
}
