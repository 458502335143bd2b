package io.strand.broker.api.fetch;

import static io.strand.broker.replica.ReplicatedPartitionFixture.LOCAL;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TP;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetch from a follower, as raw requests through the handler: replica state, log end reads, divergence. */
class FollowerFetchTest {

    private static final int CONSUMER = -1;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private FetchHandler handler;
    private FetchPurgatory purgatory;
    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() throws Exception {
        eventLoop.shutdownNow();
        assertThat(eventLoop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    private void start(List<Integer> replicas, List<Integer> isr) {
        cluster = new ReplicatedPartitionFixture(dir, replicas, isr, 1);
        purgatory = new FetchPurgatory();
        cluster.replicaManager.setAppendListener(purgatory::onAppend);
        handler = new FetchHandler(cluster.replicaManager, cluster::image,
                new FetchSessionCache(10, 60_000, cluster.time, new Random(1)), purgatory);
    }

    private CompletableFuture<FetchResponseData> fetch(short version, int replicaId, long fetchOffset,
                                                       int lastFetchedEpoch, int maxWaitMs) {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(-1);
        if (version >= 15) {
            data.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(replicaId)
                    .setReplicaEpoch(replicaId * 10L));
        } else {
            data.setReplicaId(replicaId);
        }
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(TOPIC_ID);
        topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(fetchOffset)
                .setLastFetchedEpoch(lastFetchedEpoch).setPartitionMaxBytes(1 << 20));
        data.topics().add(topic);
        FetchRequest request = new FetchRequest(data, version);
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.FETCH, version, "fetcher", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, eventLoop);
        return handler.handle(context, request);
    }

    private static FetchResponseData.PartitionData only(FetchResponseData response) {
        return response.responses().get(0).partitions().get(0);
    }

    @Test
    void aFollowerReadsUpToTheLogEndAndItsPositionMovesTheHighWatermark() {
        start(List.of(1, 2), List.of(1, 2));
        cluster.append(5);
        assertThat(FetchResponse.recordsSize(only(fetch((short) 17, CONSUMER, 0, -1, 0).join()))).isZero();

        FetchResponseData.PartitionData first = only(fetch((short) 17, 2, 0, -1, 0).join());
        assertThat(first.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(FetchResponse.recordsSize(first)).isPositive();
        assertThat(first.highWatermark()).isZero();

        FetchResponseData.PartitionData second = only(fetch((short) 17, 2, 5, 0, 0).join());
        assertThat(second.highWatermark()).isEqualTo(5);
        assertThat(FetchResponse.recordsSize(second)).isZero();
        assertThat(FetchResponse.recordsSize(only(fetch((short) 17, CONSUMER, 0, -1, 0).join()))).isPositive();
    }

    @Test
    void aFollowerWhoseLogDivergesIsToldWhereToTruncate() {
        start(List.of(1, 2), List.of(1));
        cluster.append(5);
        cluster.publishPartition(List.of(1, 2), List.of(1), LOCAL, 2, 1);
        cluster.append(3);

        FetchResponseData.PartitionData diverged = only(fetch((short) 17, 2, 7, 1, 0).join());
        assertThat(diverged.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(diverged.divergingEpoch().epoch()).isZero();
        assertThat(diverged.divergingEpoch().endOffset()).isEqualTo(5);
        assertThat(FetchResponse.recordsSize(diverged)).isZero();

        FetchResponseData.PartitionData ahead = only(fetch((short) 12, 2, 6, 0, 0).join());
        assertThat(ahead.divergingEpoch().epoch()).isZero();
        assertThat(ahead.divergingEpoch().endOffset()).isEqualTo(5);

        FetchResponseData.PartitionData inLine = only(fetch((short) 12, 2, 5, 0, 0).join());
        assertThat(inLine.divergingEpoch().epoch()).isEqualTo(-1);
        assertThat(FetchResponse.recordsSize(inLine)).isPositive();

        FetchResponseData.PartitionData current = only(fetch((short) 17, 2, 8, 2, 0).join());
        assertThat(current.divergingEpoch().epoch()).isEqualTo(-1);
        assertThat(current.errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void aFollowerThatFindsNothingWaitsForAnAppend() throws Exception {
        start(List.of(1, 2), List.of(1, 2));
        CompletableFuture<FetchResponseData> waiting = fetch((short) 17, 2, 0, -1, 30_000);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertThat(waiting).isNotDone();
        cluster.append(2);
        cluster.replicaManager.notifyAppended(TP);
        FetchResponseData.PartitionData data = only(waiting.get(10, TimeUnit.SECONDS));
        assertThat(FetchResponse.recordsSize(data)).isPositive();
    }

    @Test
    void aConsumerWaitingForTheHighWatermarkWakesWhenAFollowerAdvancesIt() throws Exception {
        start(List.of(1, 2), List.of(1, 2));
        cluster.append(3);
        cluster.replicaManager.notifyAppended(TP);
        CompletableFuture<FetchResponseData> consumer = fetch((short) 17, CONSUMER, 0, -1, 30_000);
        eventLoop.submit(() -> { }).get(10, TimeUnit.SECONDS); // the long poll has started and found nothing
        assertThat(consumer).isNotDone();

        fetch((short) 17, 2, 3, 0, 0).join();
        FetchResponseData.PartitionData data = only(consumer.get(10, TimeUnit.SECONDS));
        assertThat(data.highWatermark()).isEqualTo(3);
        assertThat(FetchResponse.recordsSize(data)).isPositive();
    }

    @Test
    void fetchesFromAFollowerGetNotLeaderWithTheCurrentLeader() {
        start(List.of(1, 2), List.of(1, 2));
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);
        for (int replicaId : new int[] {CONSUMER, 3}) {
            FetchResponseData response = fetch((short) 17, replicaId, 0, -1, 0).join();
            FetchResponseData read = (FetchResponseData) AbstractResponse.parseResponse(ApiKeys.FETCH,
                    MessageUtil.toByteBufferAccessor(response, (short) 17), (short) 17).data();
            FetchResponseData.PartitionData data = only(read);
            assertThat(data.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
            assertThat(data.currentLeader().leaderId()).isEqualTo(2);
            assertThat(data.currentLeader().leaderEpoch()).isEqualTo(1);
            assertThat(read.nodeEndpoints()).singleElement().satisfies(node -> {
                assertThat(node.nodeId()).isEqualTo(2);
                assertThat(node.host()).isEqualTo("broker-2");
            });
        }
        FetchResponseData.PartitionData old = only(fetch((short) 11, CONSUMER, 0, -1, 0).join());
        assertThat(old.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(old.currentLeader().leaderId()).isEqualTo(-1);
    }
}
