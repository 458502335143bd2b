package io.strand.broker.api.produce;

import static io.strand.broker.replica.ReplicatedPartitionFixture.LAG_MS;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Produce to a partition with followers: acks=all waits for them; min.insync.replicas; leader hints. */
class ReplicatedProduceTest {

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private ProduceHandler handler;
    private ScheduledExecutorService timer;

    @AfterEach
    void tearDown() throws Exception {
        if (timer != null) {
            timer.shutdownNow();
            assertThat(timer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        cluster.close();
    }

    private void start(List<Integer> replicas, List<Integer> isr, int minInsyncReplicas) {
        cluster = new ReplicatedPartitionFixture(dir, replicas, isr, minInsyncReplicas);
        handler = new ProduceHandler(cluster.replicaManager, cluster::image);
    }

    private CompletableFuture<ProduceResponseData> send(short version, short acks, int timeoutMs) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setName(version < 13 ? TOPIC : "")
                .setTopicId(version < 13 ? Uuid.ZERO_UUID : ReplicatedPartitionFixture.TOPIC_ID);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.NONE,
                        new SimpleRecord("a".getBytes(StandardCharsets.UTF_8)),
                        new SimpleRecord("b".getBytes(StandardCharsets.UTF_8)))));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder(version, version, data).build(version);
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.PRODUCE, version, "producer", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, timer);
        return handler.handle(context, request);
    }

    private static PartitionProduceResponse partition(ProduceResponseData response, short version) {
        ProduceResponseData read = (ProduceResponseData) AbstractResponse.parseResponse(ApiKeys.PRODUCE,
                MessageUtil.toByteBufferAccessor(response, version), version).data();
        return read.responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void acksAllAnswersOnceTheFollowersHaveTheRecords() {
        start(List.of(1, 2), List.of(1, 2), 1);
        CompletableFuture<ProduceResponseData> response = send((short) 13, (short) -1, 30_000);
        assertThat(response).isNotDone();
        cluster.fetch(2, 1);
        assertThat(response).isNotDone();
        cluster.fetch(2, 2);
        assertThat(response).isCompleted();
        PartitionProduceResponse result = partition(response.join(), (short) 13);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.baseOffset()).isZero();
    }

    @Test
    void acksOneAndASoleReplicaIsrAnswerAtOnce() {
        start(List.of(1, 2), List.of(1, 2), 1);
        assertThat(send((short) 13, (short) 1, 30_000)).isCompleted();
        cluster.close();
        cluster = null;
        ReplicatedPartitionFixture alone = new ReplicatedPartitionFixture(dir.resolve("alone"), List.of(1, 2), List.of(1), 1);
        cluster = alone;
        handler = new ProduceHandler(alone.replicaManager, alone::image);
        CompletableFuture<ProduceResponseData> response = send((short) 13, (short) -1, 30_000);
        assertThat(response).isCompleted();
        assertThat(partition(response.join(), (short) 13).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void acksAllTimesOutWhenTheFollowersDoNotFetch() throws Exception {
        timer = Executors.newSingleThreadScheduledExecutor();
        start(List.of(1, 2), List.of(1, 2), 1);
        ProduceResponseData response = send((short) 13, (short) -1, 10).get(10, TimeUnit.SECONDS);
        assertThat(partition(response, (short) 13).errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
    }

    @Test
    void anIsrBelowMinInsyncReplicasRefusesBeforeAppendOrFailsAfterAppend() {
        start(List.of(1, 2), List.of(1), 2);
        PartitionProduceResponse refused = partition(send((short) 13, (short) -1, 30_000).join(), (short) 13);
        assertThat(refused.errorCode()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS.code());
        assertThat(cluster.partition().log().logEndOffset()).isZero();

        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 1, 0, 1);
        CompletableFuture<ProduceResponseData> response = send((short) 13, (short) -1, 30_000);
        assertThat(response).isNotDone();
        cluster.time.advance(LAG_MS + 1);
        cluster.replicaManager.maybeShrinkIsrs();
        assertThat(cluster.lastProposedIsr()).containsExactly(1);
        cluster.accept(0, 2);
        assertThat(response).isCompleted();
        assertThat(partition(response.join(), (short) 13).errorCode())
                .isEqualTo(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code());
    }

    @Test
    void notLeaderAnswersNameTheCurrentLeaderFromVersion10() {
        start(List.of(1, 2), List.of(1, 2), 1);
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);

        ProduceResponseData response = send((short) 10, (short) -1, 30_000).join();
        PartitionProduceResponse result = partition(response, (short) 10);
        assertThat(result.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(result.currentLeader().leaderId()).isEqualTo(2);
        assertThat(result.currentLeader().leaderEpoch()).isEqualTo(1);
        assertThat(response.nodeEndpoints()).singleElement().satisfies(node -> {
            assertThat(node.nodeId()).isEqualTo(2);
            assertThat(node.host()).isEqualTo("broker-2");
            assertThat(node.port()).isEqualTo(9092);
        });

        PartitionProduceResponse old = partition(send((short) 9, (short) -1, 30_000).join(), (short) 9);
        assertThat(old.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(old.currentLeader().leaderId()).isEqualTo(-1);
    }
}
