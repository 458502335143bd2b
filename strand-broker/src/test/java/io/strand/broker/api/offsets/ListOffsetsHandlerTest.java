package io.strand.broker.api.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker 1 leads {@code events-0} with replicas 1, 2, 3; three records are written, none yet replicated. */
class ListOffsetsHandlerTest {

    private static final short VERSION = 9;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private ListOffsetsHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2, 3), List.of(1, 2, 3), 1);
        handler = new ListOffsetsHandler(cluster.replicaManager);
        cluster.append(3);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void aConsumerReadsLatestAsTheHighWatermark() {
        ListOffsetsPartitionResponse latest = listLatest(ListOffsetsRequest.Builder.forConsumer(false,
                IsolationLevel.READ_UNCOMMITTED));

        assertThat(latest.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(latest.offset()).isEqualTo(cluster.partition().log().highWatermark()).isZero();
    }

    @Test
    void aFollowerReplicaReadsLatestAsTheLogEnd() {
        ListOffsetsPartitionResponse latest = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION, 2));

        assertThat(latest.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(latest.offset()).isEqualTo(3);
    }

    @Test
    void aNonLeaderAnswersConsumersAndReplicasNotLeaderButServesTheDebuggingReplica() {
        cluster.publishPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2, 1, 1);

        ListOffsetsPartitionResponse consumer = listLatest(ListOffsetsRequest.Builder.forConsumer(false,
                IsolationLevel.READ_UNCOMMITTED));
        ListOffsetsPartitionResponse replica = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION, 3));
        ListOffsetsPartitionResponse debugging = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION,
                ListOffsetsRequest.DEBUGGING_REPLICA_ID));

        assertThat(consumer.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(consumer.offset()).isEqualTo(-1);
        assertThat(replica.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(debugging.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(debugging.offset()).isEqualTo(cluster.partition().log().logEndOffset());
    }

    /**
     * Offsets 0–2 plain (fixture time), 3–4 a transaction of producer 7 (time + 1 s), 5 plain (time + 2 s),
     * all replicated: high watermark 6, last stable offset 3 while the transaction is open.
     */
    @Test
    void readCommittedIsBoundedByTheLastStableOffset() {
        long baseMs = cluster.time.milliseconds();
        cluster.partition().appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord(baseMs + 1_000, null, "t0".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(baseMs + 1_000, null, "t1".getBytes(StandardCharsets.UTF_8))), (short) 1, 1);
        cluster.partition().appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(baseMs + 2_000, null, "p".getBytes(StandardCharsets.UTF_8))), (short) 1, 1);
        cluster.fetch(2, 6);
        cluster.fetch(3, 6);
        ListOffsetsRequest.Builder committed = ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_COMMITTED);
        ListOffsetsRequest.Builder uncommitted = ListOffsetsRequest.Builder.forConsumer(false,
                IsolationLevel.READ_UNCOMMITTED);

        assertThat(list(uncommitted, ListOffsetsRequest.LATEST_TIMESTAMP).offset()).isEqualTo(6);
        assertThat(list(committed, ListOffsetsRequest.LATEST_TIMESTAMP).offset()).isEqualTo(3);
        assertThat(list(uncommitted, baseMs + 1_000).offset()).isEqualTo(3);
        assertThat(list(committed, baseMs + 1_000).offset()).as("the open transaction is not readable").isEqualTo(-1);
        assertThat(list(committed, baseMs).offset()).isZero();
        assertThat(list(uncommitted, ListOffsetsRequest.MAX_TIMESTAMP).offset()).isEqualTo(5);
        assertThat(list(committed, ListOffsetsRequest.MAX_TIMESTAMP).offset()).isEqualTo(-1);
        assertThat(list(committed, ListOffsetsRequest.EARLIEST_TIMESTAMP).offset()).isZero();

        cluster.partition().appendMarkerAsLeader(7L, (short) 0, 0, true, (short) 0);
        cluster.fetch(2, 7);
        cluster.fetch(3, 7);

        ListOffsetsPartitionResponse latest = list(committed, ListOffsetsRequest.LATEST_TIMESTAMP);
        assertThat(latest.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(latest.offset()).isEqualTo(7);
        assertThat(list(committed, baseMs + 1_000).offset()).isEqualTo(3);
        // The marker, stamped with the wall clock, now holds the largest timestamp: readable, so answered.
        assertThat(list(committed, ListOffsetsRequest.MAX_TIMESTAMP).offset()).isEqualTo(6);
    }

    @Test
    void aSpecialTimestampIsRefusedBelowTheVersionThatIntroducedItAndAnUnknownOneAlways() {
        assertThat(ListOffsetsHandler.timestampUnsupported(ListOffsetsRequest.MAX_TIMESTAMP, (short) 6)).isTrue();
        assertThat(ListOffsetsHandler.timestampUnsupported(ListOffsetsRequest.MAX_TIMESTAMP, (short) 7)).isFalse();
        assertThat(ListOffsetsHandler.timestampUnsupported(ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP,
                (short) 10)).isTrue();
        assertThat(ListOffsetsHandler.timestampUnsupported(ListOffsetsRequest.LATEST_TIMESTAMP, (short) 1)).isFalse();
        assertThat(ListOffsetsHandler.timestampUnsupported(-7, (short) 11)).isTrue();
        assertThat(ListOffsetsHandler.timestampUnsupported(Long.MIN_VALUE, (short) 11)).isTrue();
        assertThat(ListOffsetsHandler.timestampUnsupported(0, (short) 1)).isFalse();
    }

    @Test
    void aTopicNamedTwiceIsAnsweredOnceAndOneWithoutPartitionsNotAtAll() {
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(
                        new ListOffsetsTopic().setName("events").setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(0).setTimestamp(ListOffsetsRequest.MAX_TIMESTAMP))),
                        new ListOffsetsTopic().setName("events").setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(9).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))),
                        new ListOffsetsTopic().setName("nothing-asked").setPartitions(List.of())))
                .build((short) 6);

        var response = handler.handle(Requests.context(request), request).join();

        assertThat(response.topics()).hasSize(1);
        assertThat(response.topics().get(0).partitions()).extracting(ListOffsetsPartitionResponse::errorCode)
                .containsExactly(Errors.UNSUPPORTED_VERSION.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    private ListOffsetsPartitionResponse listLatest(ListOffsetsRequest.Builder builder) {
        return list(builder, ListOffsetsRequest.LATEST_TIMESTAMP);
    }

    private ListOffsetsPartitionResponse list(ListOffsetsRequest.Builder builder, long timestamp) {
        ListOffsetsRequest request = builder.setTargetTimes(List.of(new ListOffsetsTopic()
                .setName(ReplicatedPartitionFixture.TOPIC)
                .setPartitions(List.of(new ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(timestamp)))))
                .build(VERSION);
        return handler.handle(Requests.context(request), request).join().topics().get(0).partitions().get(0);
    }
}
