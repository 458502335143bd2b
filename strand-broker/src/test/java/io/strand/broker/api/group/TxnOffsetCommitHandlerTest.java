package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.broker.group.GroupMarkerWriter;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.txn.ScriptedVerifier;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.OffsetsTopicLog;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.TopicRecord;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TxnOffsetCommit through its handler at every version, bad input included, the marker that makes the
 * offsets visible (through the broker's {@link GroupMarkerWriter}), and OffsetFetch's require_stable;
 * OffsetCommit's answers for topics and partitions the cluster does not have, which both commit
 * handlers give alike.
 */
class TxnOffsetCommitHandlerTest {

    private static final Uuid TOPIC_ID = new Uuid(5L, 5L);
    private static final String TOPIC = "events";
    private static final short EPOCH = 2;

    /** Keeps nothing: state lives in the shard's memory, which is all these tests need. */
    private static final OffsetsTopicLog NO_LOG = new OffsetsTopicLog() {
        @Override
        public CompletableFuture<Long> append(int partition, MemoryRecords records) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                    int coordinatorEpoch, boolean commit) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public long logStartOffset(int partition) {
            return 0;
        }

        @Override
        public Records read(int partition, long fromOffset, int maxBytes) {
            return MemoryRecords.EMPTY;
        }

        @Override
        public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
            return CompletableFuture.completedFuture(null);
        }
    };

    private GroupCoordinator coordinator;
    /** What the verifier answers, and what it was asked. */
    private volatile Errors verification = Errors.NONE;
    private final List<String> verified = new java.util.concurrent.CopyOnWriteArrayList<>();
    private TxnOffsetCommitHandler handler;
    private ScriptedVerifier verifier;
    private OffsetFetchHandler fetchHandler;

    @BeforeEach
    void start() {
        coordinator = new GroupCoordinator(GroupCoordinatorConfig.from(Map.of(
                GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, "1")), NO_LOG, Time.SYSTEM, new Random(1));
        coordinator.onLeadership(Set.of(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.isActive(0));
        MetadataImage image = image();
        verifier = new ScriptedVerifier((transactionalId, producerId, producerEpoch, partition) -> {
            verified.add(transactionalId + "/" + producerId + "/" + producerEpoch + "/" + partition);
            return CompletableFuture.completedFuture(verification);
        });
        handler = new TxnOffsetCommitHandler(coordinator, () -> image, verifier);
        fetchHandler = new OffsetFetchHandler(coordinator, () -> image);
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private static MetadataImage image() {
        List<MetadataRecord> records = List.of(new TopicRecord(TOPIC, TOPIC_ID),
                new PartitionRecord(TOPIC_ID, 0, List.of(1), List.of(1), 1, 0, 0));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(records.size());
    }

    private static ByteBuffer serialize(ApiMessage data, short version) {
        return MessageUtil.toByteBufferAccessor(data, version).buffer();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends ApiMessage> T call(ApiHandler handler, short version, ApiMessage data) {
        ApiKeys key = handler.apiKey();
        AbstractRequest request = AbstractRequest.parseRequest(key, version,
                new ByteBufferAccessor(serialize(data, version))).request;
        RequestContext context = new RequestContext(new RequestHeader(key, version, "client", 1),
                new InetSocketAddress("127.0.0.1", 5555), "PLAINTEXT", 0, null);
        T response = (T) ((CompletableFuture<? extends ApiMessage>) handler.handle(context, request)).join();
        assertThat(serialize(response, version).remaining()).as("%s v%d serializes", key, version).isPositive();
        return response;
    }

    private static TxnOffsetCommitRequestData commit(String groupId, long producerId, String topic, long offset) {
        return new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId(groupId).setProducerId(producerId)
                .setProducerEpoch(EPOCH).setTopics(List.of(new TxnOffsetCommitRequestTopic().setName(topic)
                        .setPartitions(List.of(new TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(offset).setCommittedMetadata("meta")))));
    }

    private TxnOffsetCommitResponseData commit(short version, TxnOffsetCommitRequestData data) {
        return call(handler, version, data);
    }

    private static List<Errors> errors(TxnOffsetCommitResponseData response) {
        return response.topics().stream().flatMap(t -> t.partitions().stream())
                .map(TxnOffsetCommitResponsePartition::errorCode).map(Errors::forCode).toList();
    }

    private OffsetFetchResponseData.OffsetFetchResponsePartition fetchV7(String groupId, boolean requireStable) {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(groupId).setRequireStable(requireStable)
                .setTopics(List.of(new OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(0))));
        OffsetFetchResponseData response = call(fetchHandler, (short) 7, request);
        return response.topics().get(0).partitions().get(0);
    }

    @Test
    void offsetCommitAnswersTopicsAndPartitionsTheClusterDoesNotHaveWithoutStoringThem() {
        OffsetCommitHandler commitHandler = new OffsetCommitHandler(coordinator, this::imageNow);
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId("g")
                .setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                        new OffsetCommitRequestTopic().setName("missing").setPartitions(List.of(
                                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5))),
                        new OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(6),
                                new OffsetCommitRequestPartition().setPartitionIndex(7).setCommittedOffset(7)))));

        OffsetCommitResponseData response = call(commitHandler, (short) 9, request);

        assertThat(response.topics()).flatExtracting(t -> t.partitions().stream()
                        .map(p -> t.name() + "-" + p.partitionIndex() + ":" + Errors.forCode(p.errorCode())).toList())
                .containsExactlyInAnyOrder("missing-0:UNKNOWN_TOPIC_OR_PARTITION", "events-0:NONE",
                        "events-7:UNKNOWN_TOPIC_OR_PARTITION");
        OffsetFetchResponseData fetched = call(fetchHandler, (short) 7, new OffsetFetchRequestData().setGroupId("g")
                .setTopics(null));
        assertThat(fetched.topics()).flatExtracting(t -> t.partitions().stream()
                .map(p -> t.name() + "-" + p.partitionIndex() + "@" + p.committedOffset()).toList())
                .containsExactly("events-0@6");

        // Nothing the cluster has: answered without the coordinator, so not even the group is made.
        OffsetCommitResponseData none = call(commitHandler, (short) 9, new OffsetCommitRequestData()
                .setGroupId("unmade").setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                        new OffsetCommitRequestTopic().setName("missing").setPartitions(List.of(
                                new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5))))));
        assertThat(none.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(coordinator.listGroups(List.of(), List.of()).join().groups()).noneMatch(g -> g.groupId().equals("unmade"));
    }

    private MetadataImage imageNow() {
        return image();
    }

    @Test
    void everyVersionCommitsPendingOffsetsThatTheCommitMarkerMakesVisible() {
        GroupMarkerWriter markers = new GroupMarkerWriter(coordinator);
        TopicPartition offsetsPartition = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);
        for (short version = TxnOffsetCommitHandler.MIN_VERSION; version <= TxnOffsetCommitHandler.MAX_VERSION;
                version++) {
            String group = "g" + version;
            long producerId = 100 + version;
            assertThat(errors(commit(version, commit(group, producerId, TOPIC, 10 + version))))
                    .as("v%d", version).containsExactly(Errors.NONE);
            assertThat(Errors.forCode(fetchV7(group, true).errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
            assertThat(fetchV7(group, false).committedOffset()).isEqualTo(-1);

            assertThat(markers.writeMarker(offsetsPartition, producerId, EPOCH, 0, true).join()).isEqualTo(Errors.NONE);

            assertThat(fetchV7(group, true).errorCode()).isZero();
            assertThat(fetchV7(group, true).committedOffset()).isEqualTo(10 + version);
        }
    }

    @Test
    void requireStableIsPerPartitionInBatchedOffsetFetch() {
        commit((short) 3, commit("g", 7L, TOPIC, 5));
        OffsetFetchRequestData request = new OffsetFetchRequestData().setRequireStable(true).setGroups(List.of(
                new OffsetFetchRequestGroup().setGroupId("g").setTopics(List.of(new OffsetFetchRequestTopics()
                        .setName(TOPIC).setPartitionIndexes(List.of(0, 1))))));

        OffsetFetchResponseData response = call(fetchHandler, (short) 8, request);

        assertThat(response.groups().get(0).errorCode()).isZero();
        assertThat(response.groups().get(0).topics().get(0).partitions())
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNSTABLE_OFFSET_COMMIT, Errors.NONE);
    }

    @Test
    void anAbortMarkerLeavesTheCommittedOffset() {
        GroupMarkerWriter markers = new GroupMarkerWriter(coordinator);
        commit((short) 3, commit("g", 7L, TOPIC, 5));

        assertThat(markers.writeMarker(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0), 7L, EPOCH, 0, false)
                .join()).isEqualTo(Errors.NONE);

        assertThat(fetchV7("g", true).errorCode()).isZero();
        assertThat(fetchV7("g", true).committedOffset()).isEqualTo(-1);
    }

    @Test
    void anUnknownGroupWithAGenerationIsAnIllegalGeneration() {
        assertThat(errors(commit((short) 3, commit("unknown", 7L, TOPIC, 5).setGenerationId(3).setMemberId("m"))))
                .containsExactly(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void anEmptyGroupIdIsInvalid() {
        assertThat(errors(commit((short) 3, commit("", 7L, TOPIC, 5)))).containsExactly(Errors.INVALID_GROUP_ID);
    }

    @Test
    void aNegativeProducerIdIsRefusedForEveryPartition() {
        assertThat(errors(commit((short) 3, commit("g", -1L, TOPIC, 5))))
                .containsExactly(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(fetchV7("g", true).errorCode()).as("nothing pending").isZero();
    }

    @Test
    void noTopicsIsAnEmptyAnswer() {
        TxnOffsetCommitResponseData response = commit((short) 3, commit("g", 7L, TOPIC, 5).setTopics(List.of()));

        assertThat(response.topics()).isEmpty();
    }

    @Test
    void anUnknownTopicFailsItsPartitionsAndTheOthersAreCommitted() {
        TxnOffsetCommitRequestData request = commit("g", 7L, TOPIC, 5);
        request.setTopics(List.of(request.topics().get(0), new TxnOffsetCommitRequestTopic().setName("nope")
                .setPartitions(List.of(new TxnOffsetCommitRequestPartition().setPartitionIndex(2)))));

        TxnOffsetCommitResponseData response = commit((short) 3, request);

        assertThat(response.topics()).extracting(TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic::name)
                .containsExactly(TOPIC, "nope");
        assertThat(errors(response)).containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void eachTopicIsAnsweredOnceAndAKnownTopicWithoutPartitionsNotAtAll() {
        TxnOffsetCommitRequestData request = commit("g", 7L, TOPIC, 5);
        TxnOffsetCommitRequestTopic stored = request.topics().get(0);
        request.setTopics(List.of(new TxnOffsetCommitRequestTopic().setName(TOPIC),
                new TxnOffsetCommitRequestTopic().setName("nope"), stored,
                new TxnOffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new TxnOffsetCommitRequestPartition().setPartitionIndex(9).setCommittedOffset(1)))));

        TxnOffsetCommitResponseData response = commit((short) 3, request);

        assertThat(response.topics()).extracting(TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic::name)
                .as("in the request's order; an unknown topic is answered even without partitions")
                .containsExactly("nope", TOPIC);
        assertThat(response.topics().get(0).partitions()).isEmpty();
        assertThat(response.topics().get(1).partitions()).extracting(TxnOffsetCommitResponsePartition::partitionIndex,
                p -> Errors.forCode(p.errorCode())).containsExactlyInAnyOrder(tuple(0, Errors.NONE),
                tuple(9, Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }

    @Test
    void anEmptyTransactionalIdIsAnInvalidRequestWhateverTheProducerId() {
        assertThat(errors(commit((short) 3, commit("g", -1L, TOPIC, 5).setTransactionalId(""))))
                .containsExactly(Errors.INVALID_REQUEST);
        assertThat(verified).isEmpty();
    }

    @Test
    void aTruncatedRequestDoesNotParse() {
        ByteBuffer full = serialize(commit("g", 7L, TOPIC, 5), (short) 3);
        ByteBuffer truncated = full.duplicate();
        truncated.limit(full.limit() - 5);

        assertThatThrownBy(() -> AbstractRequest.parseRequest(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                new ByteBufferAccessor(truncated))).isInstanceOf(RuntimeException.class);
    }

    @Test
    void advertisesTheVersionsKafkaAdvertises() {
        assertThat(handler.advertisedVersions().minVersion()).isZero();
        assertThat(handler.advertisedVersions().maxVersion()).isEqualTo(ApiKeys.TXN_OFFSET_COMMIT.latestVersion());
    }

    @Test
    void theGroupsPartitionIsVerifiedWithTheTransactionCoordinatorFirst() {
        commit((short) 3, commit("g", 7L, TOPIC, 5));

        assertThat(verified).containsExactly("tx/7/" + EPOCH + "/" + Topic.GROUP_METADATA_TOPIC_NAME + "-0");
        assertThat(verifier.kinds()).containsExactly("verify");
    }

    @Test
    void version5AddsTheGroupsPartitionToTheTransactionInsteadOfVerifying() {
        commit((short) 4, commit("g", 7L, TOPIC, 5));
        commit((short) 5, commit("g", 7L, TOPIC, 6));

        assertThat(verified).containsExactly("tx/7/" + EPOCH + "/" + Topic.GROUP_METADATA_TOPIC_NAME + "-0",
                "tx/7/" + EPOCH + "/" + Topic.GROUP_METADATA_TOPIC_NAME + "-0");
        assertThat(verifier.kinds()).as("v4 verifies (AddOffsetsToTxn came first), v5 adds")
                .containsExactly("verify", "add");
    }

    @Test
    void aRefusedAddAnswersEveryPartitionAndWritesNothing() {
        verification = Errors.INVALID_PRODUCER_EPOCH;

        assertThat(errors(commit((short) 5, commit("g", 7L, TOPIC, 5)))).containsExactly(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(fetchV7("g", true).errorCode()).as("nothing pending").isZero();
    }

    @Test
    void aRefusedVerificationAnswersEveryPartitionAndWritesNothing() {
        verification = Errors.INVALID_TXN_STATE;

        assertThat(errors(commit((short) 3, commit("g", 7L, TOPIC, 5)))).containsExactly(Errors.INVALID_TXN_STATE);
        assertThat(fetchV7("g", true).errorCode()).as("nothing pending").isZero();

        verification = Errors.NETWORK_EXCEPTION;
        assertThat(errors(commit((short) 3, commit("g", 7L, TOPIC, 5))))
                .as("retriable, as Kafka answers it").containsExactly(Errors.COORDINATOR_LOAD_IN_PROGRESS);
    }

    @Test
    void aPartitionNotInTheTransactionIsTransactionAbortableFromVersion4() {
        verification = Errors.TRANSACTION_ABORTABLE;

        assertThat(errors(commit((short) 3, commit("g", 7L, TOPIC, 5)))).containsExactly(Errors.INVALID_TXN_STATE);
        assertThat(errors(commit((short) 4, commit("g", 7L, TOPIC, 5)))).containsExactly(Errors.TRANSACTION_ABORTABLE);
        assertThat(fetchV7("g", true).errorCode()).as("nothing pending").isZero();
    }
}
