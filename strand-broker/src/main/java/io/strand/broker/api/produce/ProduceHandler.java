package io.strand.broker.api.produce;

import io.strand.broker.metrics.BrokerMetrics;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.CloseConnectionException;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedProduce;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.QuotaType;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.record.RecordErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
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
 * <p>acks=0 gets no response written; an error there closes the connection, the only signal such a
 * producer can see, and otherwise the answer is still returned, unwritten, so that its throttle time
 * mutes the connection (see {@code ConnectionHandler}). acks=1 answers after the local append. acks=all answers once the high watermark
 * has passed each partition's batch: at once when the ISR is this broker alone (the append moved it),
 * else from a {@link DelayedProduce} — {@code REQUEST_TIMED_OUT} for the partitions the request's
 * timeout finds unreplicated, {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank below
 * {@code min.insync.replicas} meanwhile. Topics are named (≤ v12) or given by id (v13).
 *
 * <p>{@code NOT_LEADER_OR_FOLLOWER} answers (v10+, KIP-951) carry the partition's current leader and
 * epoch as the metadata knows them, and that leader's endpoint on the request's listener.
 *
 * <p><b>Checks, in Kafka's order</b> (each partition gets the first that fails): the topic and the
 * partition exist (UNKNOWN_TOPIC_OR_PARTITION, or UNKNOWN_TOPIC_ID for an id from v13); the records are
 * one batch of magic 2 ({@code ProduceRequest.validateRecords}); acks is 0, 1 or -1
 * (INVALID_REQUIRED_ACKS); the topic is not internal. The answer has one entry per topic and partition
 * however often the request names them (a partition named twice has only its last batch appended), and
 * none for a topic named without partitions.
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
 *
 * <p><b>Transactions.</b> A request with transactional batches must name its transactional id
 * (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for the whole request) and hold one producer's batches
 * (else INVALID_PRODUCER_ID_MAPPING), as in Kafka. Each partition with a transactional batch is first
 * checked by the {@link TransactionVerifier} (KIP-890: is the partition in the producer's ongoing
 * transaction?), or from v12, the version of transactions v2 producers, added to the transaction by
 * it (the producer sends no AddPartitionsToTxn); a refusal is answered for that partition, translated
 * as Kafka's broker does ({@link TransactionVerification#refusal}), and nothing of it is appended. The
 * request's appends wait for all its verifications (each bounded by the request's {@code timeout_ms}:
 * then NETWORK_EXCEPTION, answered NOT_ENOUGH_REPLICAS), then run on the append executor; a producer's later request appends
 * only after them, so pipelined batches keep their order ({@link TransactionVerification}). The log
 * refuses a non-transactional batch of a producer whose transaction is open (INVALID_TXN_STATE). Not
 * built: Kafka's verification guard (a transaction that ends between the verification and the append
 * is not noticed). CONCURRENT_TRANSACTIONS from an add of v12+ (the previous transaction's markers
 * still being written) is held by the coordinator for a moment, then answered as it is: the client
 * retries it.
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
    private final TransactionVerification verification;
    private final ClientQuotaManager produceQuota;
    private final BrokerMetrics metrics;

    /** Verifies no transactional batch ({@link TransactionVerifier#NONE}). */
    public ProduceHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image) {
        this(replicaManager, image, TransactionVerifier.NONE, Runnable::run);
    }

    /**
     * @param verifier       asked before a transactional batch is appended
     * @param appendExecutor runs the appends of a request whose verification completed later (the request
     *                       pool: never a coordinator's thread)
     */
    public ProduceHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, TransactionVerifier verifier,
                          Executor appendExecutor) {
        this(replicaManager, image, verifier, appendExecutor, ClientQuotaManager.disabled(QuotaType.PRODUCE));
    }

    /**
     * @param produceQuota the {@code producer_byte_rate} quota: every request's batch bytes are recorded
     *                     when its response is ready, and its throttle time answered
     */
    public ProduceHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, TransactionVerifier verifier,
                          Executor appendExecutor, ClientQuotaManager produceQuota) {
        this(replicaManager, image, verifier, appendExecutor, produceQuota, BrokerMetrics.NONE);
    }

    /**
     * @param metrics where each appended batch's records and bytes (per topic) and each partition's error
     *                are recorded
     */
    public ProduceHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image, TransactionVerifier verifier,
                          Executor appendExecutor, ClientQuotaManager produceQuota, BrokerMetrics metrics) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.verification = new TransactionVerification(verifier, appendExecutor);
        this.produceQuota = produceQuota;
        this.metrics = metrics;
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

    /** One partition's batch, resolved to its hosted partition, waiting to be verified and appended. */
    private static final class PendingAppend {
        final TopicImage topic;
        final TopicPartition topicPartition;
        final Partition partition;
        final MemoryRecords records;
        final PartitionProduceResponse result;
        /** The verification of a transactional batch; null for any other. */
        CompletableFuture<Errors> verification;

        PendingAppend(TopicImage topic, TopicPartition topicPartition, Partition partition, MemoryRecords records,
                      PartitionProduceResponse result) {
            this.topic = topic;
            this.topicPartition = topicPartition;
            this.partition = partition;
            this.records = records;
            this.result = result;
        }
    }

    @Override
    public CompletableFuture<ProduceResponseData> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        MetadataImage current = image.get();
        TransactionalBatches transactional = TransactionalBatches.of(data);
        if (transactional.any() && data.transactionalId() == null) {
            // As Kafka: a transactional batch needs the transactional id it is authorized by.
            return CompletableFuture.failedFuture(new TransactionalIdAuthorizationException(
                    "A transactional batch needs a transactional id"));
        }
        if (transactional.producerIds() > 1) {
            return CompletableFuture.failedFuture(new InvalidPidMappingException(
                    "Transactional batches of more than one producer id in one request"));
        }
        ProduceResponseData response = new ProduceResponseData();
        List<PendingAppend> appends = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : byTopic(data, request.version())) {
            Optional<TopicImage> topic = request.version() >= FIRST_TOPIC_ID_VERSION
                    ? current.topics().byId(topicData.topicId())
                    : current.topics().byName(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse result;
                Errors invalidRecords;
                if (topic.isEmpty()) {
                    Errors error = request.version() >= FIRST_TOPIC_ID_VERSION
                            ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    result = error(partitionData.index(), error, null);
                } else if (!topic.get().partitions().containsKey(partitionData.index())) {
                    result = error(partitionData.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
                } else if ((invalidRecords = invalidRecords(request.version(), partitionData)) != Errors.NONE) {
                    result = error(partitionData.index(), invalidRecords, null);
                } else if (acks != 0 && acks != 1 && acks != -1) {
                    result = error(partitionData.index(), Errors.INVALID_REQUIRED_ACKS, "acks=" + acks);
                } else if (Topic.isInternal(topic.get().name())) {
                    result = error(partitionData.index(), Errors.INVALID_TOPIC_EXCEPTION,
                            "Cannot append to internal topic " + topic.get().name());
                } else {
                    result = resolve(topic.get(), partitionData, appends);
                }
                topicResponse.partitionResponses().add(result);
            }
            response.responses().add(topicResponse);
        }
        if (!transactional.any()) {
            return appendAndRespond(context, request, response, appends);
        }
        List<CompletableFuture<Errors>> verifications = new ArrayList<>();
        for (PendingAppend append : appends) {
            if (TransactionalBatches.isTransactional(append.records)
                    && !transactionOngoing(append, transactional.producerId(), transactional.producerEpoch())) {
                append.verification = verification.verify(data.transactionalId(), transactional.producerId(),
                        transactional.producerEpoch(), append.topicPartition, data.timeoutMs(),
                        TransactionVerification.addsPartitions(request.version()));
                verifications.add(append.verification);
            }
        }
        return verification.afterVerifications(transactional.producerId(), verifications,
                () -> appendAndRespond(context, request, response, appends));
    }

    /** Whether the partition's producer state shows the transaction ongoing there: nothing to verify (as Kafka). */
    private static boolean transactionOngoing(PendingAppend append, long producerId, short producerEpoch) {
        return append.partition != null && append.partition.log().transactionOngoing(producerId, producerEpoch);
    }

    private CompletableFuture<ProduceResponseData> appendAndRespond(RequestContext context, ProduceRequest request,
            ProduceResponseData response, List<PendingAppend> appends) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        List<DelayedProduce.Waiting> waiting = new ArrayList<>();
        for (PendingAppend append : appends) {
            Errors verified = append.verification == null ? Errors.NONE : append.verification.join();
            if (verified != Errors.NONE) {
                TransactionVerification.Refusal refusal = TransactionVerification.refusal(verified, request.version());
                fill(append.result, refusal.error(), refusal.message());
            } else {
                append(append, acks, waiting);
            }
        }
        boolean anyError = false;
        MetadataImage current = image.get();
        for (PendingAppend append : appends) {
            if (append.result.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()
                    && request.version() >= FIRST_LEADER_HINT_VERSION) {
                addLeaderHint(current, context.listenerName(), append.topic, append.result, response);
            }
        }
        for (TopicProduceResponse topicResponse : response.responses()) {
            for (PartitionProduceResponse result : topicResponse.partitionResponses()) {
                if (result.errorCode() != Errors.NONE.code()) {
                    anyError = true;
                    metrics.onRequestError(ApiKeys.PRODUCE, Errors.forCode(result.errorCode()));
                }
            }
        }
        if (acks == 0) {
            maybeThrottle(context, data, response); // recorded even when the connection closes, as in Kafka
            if (anyError) {
                return CompletableFuture.failedFuture(new CloseConnectionException(
                        "an acks=0 produce request failed: " + response));
            }
            return CompletableFuture.completedFuture(response); // not written; its throttle time mutes
        }
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(maybeThrottle(context, data, response));
        }
        return new DelayedProduce(waiting).start(context.eventLoop(), data.timeoutMs())
                .thenApply(done -> maybeThrottle(context, data, response));
    }

    /**
     * Records the request's batch bytes against the client's {@code producer_byte_rate}, when some
     * client has one, and sets the response's throttle time, as Kafka does once a produce response is
     * ready (it records the request's size; the batches are nearly all of it). The connection is then
     * muted for that time by the network layer, for an acks=0 request too (its answer is not written).
     */
    private ProduceResponseData maybeThrottle(RequestContext context, ProduceRequestData data,
                                              ProduceResponseData response) {
        if (!produceQuota.enabled()) {
            return response;
        }
        long bytes = 0;
        for (ProduceRequestData.TopicProduceData topic : data.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() != null) {
                    bytes += partition.records().sizeInBytes();
                }
            }
        }
        int throttleTimeMs = produceQuota.recordAndGetThrottleTimeMs(context.principal(), context.clientId(), bytes);
        return response.setThrottleTimeMs(throttleTimeMs);
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

    /**
     * The request's partitions as Kafka's broker keys them (by topic and partition): a topic named twice
     * is one topic, a partition named twice is one partition with its last batch (only that one is
     * appended), and a topic with no partitions is left out of the answer. By name up to v12, by id from v13.
     */
    private static Iterable<ProduceRequestData.TopicProduceData> byTopic(ProduceRequestData data, short version) {
        if (data.topicData().size() == 1 && data.topicData().iterator().next().partitionData().size() == 1) {
            return data.topicData(); // what nearly every producer sends: nothing to merge
        }
        Map<Object, ProduceRequestData.TopicProduceData> topics = new LinkedHashMap<>();
        Map<Object, Map<Integer, ProduceRequestData.PartitionProduceData>> partitions = new HashMap<>();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Object key = version >= FIRST_TOPIC_ID_VERSION ? topicData.topicId() : topicData.name();
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                topics.computeIfAbsent(key, k -> new ProduceRequestData.TopicProduceData()
                        .setName(topicData.name()).setTopicId(topicData.topicId()));
                partitions.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(partitionData.index(), partitionData);
            }
        }
        topics.forEach((key, topic) -> topic.setPartitionData(new ArrayList<>(partitions.get(key).values())));
        return topics.values();
    }

    /**
     * What Kafka's broker answers for a partition's records before it looks at acks or the log
     * ({@link ProduceRequest#validateRecords}: exactly one batch, of magic 2, with a compression the
     * version knows), or NONE. Records that are not in memory are refused later (CORRUPT_MESSAGE).
     *
     * <p>A batch length the client's record iterator cannot even step over (one near 2^31 overflows its
     * arithmetic into an unchecked exception) is CORRUPT_MESSAGE here. Kafka lets that exception reach its
     * request handler and answers UNKNOWN_SERVER_ERROR for the whole request: a deliberate difference
     * (docs/FIDELITY.md), since the fault is the client's bytes, not the broker.
     */
    private static Errors invalidRecords(short version, ProduceRequestData.PartitionProduceData partitionData) {
        try {
            ProduceRequest.validateRecords(version, partitionData.records());
            return Errors.NONE;
        } catch (ApiException e) {
            return Errors.forException(e);
        } catch (RuntimeException e) {
            return Errors.CORRUPT_MESSAGE;
        }
    }

    /** The partition's answer if it cannot be appended to; else an empty answer the append fills in. */
    private PartitionProduceResponse resolve(TopicImage topic, ProduceRequestData.PartitionProduceData partitionData,
                                             List<PendingAppend> appends) {
        TopicPartition tp = new TopicPartition(topic.name(), partitionData.index());
        Optional<Partition> partition = replicaManager.partition(tp);
        if (partition.isEmpty()) {
            Errors error = replicaManager.isOffline(tp) ? Errors.KAFKA_STORAGE_ERROR
                    : topic.partitions().containsKey(partitionData.index())
                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            PartitionProduceResponse result = error(partitionData.index(), error, null);
            if (error == Errors.NOT_LEADER_OR_FOLLOWER) {
                appends.add(new PendingAppend(topic, tp, null, null, result));
            }
            return result;
        }
        BaseRecords records = partitionData.records();
        if (!(records instanceof MemoryRecords memoryRecords)) {
            return error(partitionData.index(), Errors.CORRUPT_MESSAGE, "no record batch");
        }
        PartitionProduceResponse result = new PartitionProduceResponse().setIndex(partitionData.index());
        appends.add(new PendingAppend(topic, tp, partition.get(), memoryRecords, result));
        return result;
    }

    /** Appends one partition's batch, filling in its answer; an acks=all one may join {@code waiting}. */
    private void append(PendingAppend pending, short acks, List<DelayedProduce.Waiting> waiting) {
        PartitionProduceResponse answer = pending.result;
        if (pending.partition == null) {
            return; // answered already (NOT_LEADER_OR_FOLLOWER: only its leader hint is still to come)
        }
        try {
            Partition leader = pending.partition;
            LogAppendResult result = leader.appendAsLeader(pending.records, acks, leader.minInsyncReplicas());
            replicaManager.notifyAppended(pending.topicPartition);
            if (!result.duplicate()) {
                metrics.topic(pending.topicPartition.topic()).onAppended(result.recordCount(),
                        pending.records.sizeInBytes());
            }
            answer.setBaseOffset(result.firstOffset())
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
        } catch (ApiException e) {
            Errors error = Errors.forException(e);
            fill(answer, error, e.getMessage());
            if (!WITHOUT_LOG_START_OFFSET.contains(error)) {
                answer.setLogStartOffset(pending.partition.log().logStartOffset());
            }
            if (e instanceof RecordErrors refused) {
                for (ProduceResponse.RecordError recordError : refused.recordErrors()) {
                    answer.recordErrors().add(new BatchIndexAndErrorMessage()
                            .setBatchIndex(recordError.batchIndex)
                            .setBatchIndexErrorMessage(recordError.message));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Append to {} failed", pending.topicPartition, e);
            fill(answer, Errors.forException(e), e.getMessage());
        }
    }

    /**
     * Refusals answered without the partition's log start offset, as Kafka's replica manager answers
     * them; any other refusal by the log (invalid records, a producer's sequence or epoch, …) carries it.
     */
    private static final Set<Errors> WITHOUT_LOG_START_OFFSET = Set.of(Errors.UNKNOWN_TOPIC_OR_PARTITION,
            Errors.NOT_LEADER_OR_FOLLOWER, Errors.MESSAGE_TOO_LARGE, Errors.RECORD_LIST_TOO_LARGE,
            Errors.CORRUPT_MESSAGE, Errors.KAFKA_STORAGE_ERROR);

    private static void fill(PartitionProduceResponse answer, Errors error, String message) {
        answer.setErrorCode(error.code())
                .setErrorMessage(message != null ? message : error.message())
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
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
