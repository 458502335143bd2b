package io.strand.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.coordinator.txn.TransactionMarkerChannel.Completion;
import io.strand.coordinator.txn.TransactionMarkers;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteTxnMarkersChannelTest {

    private static final int NODE_ID = 7;
    private static final long BACKOFF_MS = 20;
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b", 0);

    private final AtomicReference<MetadataImage> image = new AtomicReference<>(image(1, 2, 1));
    private final FakeSender sender = new FakeSender();
    private final WriteTxnMarkersChannel channel = new WriteTxnMarkersChannel(NODE_ID, image::get, sender, BACKOFF_MS);
    private final Map<TopicPartition, List<Errors>> reported = new ConcurrentHashMap<>();
    private final Completion completion = (tp, error) ->
            reported.computeIfAbsent(tp, k -> new CopyOnWriteArrayList<>()).add(error);

    @AfterEach
    void close() {
        channel.close();
    }

    /** Topic a: partition 0 led by {@code leaderA0}, 1 by {@code leaderA1}; topic b's one partition by {@code leaderB0}. */
    private static MetadataImage image(int leaderA0, int leaderA1, int leaderB0) {
        return image(Map.of("a", List.of(leaderA0, leaderA1), "b", List.of(leaderB0)));
    }

    /** Brokers 1, 2 and {@code NODE_ID}; each topic's partitions led by the brokers given (-1: none). */
    private static MetadataImage image(Map<String, List<Integer>> leaders) {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id : List.of(1, 2, NODE_ID)) {
            records.add(new RegisterBrokerRecord(id, new Uuid(7L, id),
                    List.of(new Endpoint("PLAINTEXT", "host-" + id, 9092, "PLAINTEXT")), null));
        }
        leaders.forEach((topic, partitionLeaders) -> {
            Uuid topicId = new Uuid(3L, topic.hashCode());
            records.add(new TopicRecord(topic, topicId));
            for (int p = 0; p < partitionLeaders.size(); p++) {
                records.add(new PartitionRecord(topicId, p, List.of(1, 2, NODE_ID), List.of(1, 2, NODE_ID),
                        partitionLeaders.get(p), 0, 0));
            }
        });
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(records.size());
    }

    private static TransactionMarkers markers(long producerId, Set<TopicPartition> partitions) {
        return new TransactionMarkers("txn-" + producerId, 3, producerId, (short) 5, 11, TransactionResult.COMMIT,
                (short) 0, partitions);
    }

    @Test
    void sendsOneRequestPerLeaderAndReportsEachPartition() throws Exception {
        channel.send(markers(100, Set.of(A0, A1, B0)), completion);

        Sent first = sender.next();
        Sent second = sender.next();
        Map<Integer, Sent> byBroker = Map.of(first.brokerId(), first, second.brokerId(), second);
        assertThat(byBroker).containsOnlyKeys(1, 2);
        assertThat(byBroker.get(1).partitions()).containsExactlyInAnyOrder(A0, B0);
        assertThat(byBroker.get(2).partitions()).containsExactly(A1);
        WritableTxnMarker marker = byBroker.get(1).request().markers().get(0);
        assertThat(marker.producerId()).isEqualTo(100);
        assertThat(marker.producerEpoch()).isEqualTo((short) 5);
        assertThat(marker.coordinatorEpoch()).isEqualTo(11);
        assertThat(marker.transactionResult()).isTrue();

        first.answer(tp -> Errors.NONE);
        second.answer(tp -> Errors.NONE);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(reported).containsOnlyKeys(A0, A1, B0));
        assertThat(reported.values()).allSatisfy(errors -> assertThat(errors).containsExactly(Errors.NONE));
    }

    @Test
    void writesTheMarkersOfPartitionsLedHereInProcessAndSendsTheRest() throws Exception {
        BlockingQueue<Sent> local = new LinkedBlockingQueue<>();
        LocalMarkerWriter writer = (request, timer) -> {
            assertThat(timer).as("a timer for the replication time-out").isNotNull();
            CompletableFuture<ApiMessage> future = new CompletableFuture<>();
            local.add(new Sent(NODE_ID, request, future));
            return future.thenApply(WriteTxnMarkersResponseData.class::cast);
        };
        image.set(image(NODE_ID, 2, NODE_ID));
        try (WriteTxnMarkersChannel withLocal = new WriteTxnMarkersChannel(NODE_ID, image::get, sender, writer,
                BACKOFF_MS)) {
            TransactionMarkers markers = new TransactionMarkers("txn-100", 3, 100, (short) 5, 11,
                    TransactionResult.ABORT, (short) 2, Set.of(A0, A1, B0));
            withLocal.send(markers, completion);

            Sent inProcess = local.poll(10, TimeUnit.SECONDS);
            assertThat(inProcess).as("written in-process").isNotNull();
            assertThat(inProcess.partitions()).containsExactlyInAnyOrder(A0, B0);
            WritableTxnMarker marker = inProcess.request().markers().get(0);
            assertThat(marker.transactionResult()).isFalse();
            assertThat(marker.transactionVersion()).as("the fields of v2").isEqualTo((byte) 2);
            Sent remote = sender.next();
            assertThat(remote.brokerId()).isEqualTo(2);
            assertThat(remote.partitions()).containsExactly(A1);

            image.set(image(NODE_ID, 2, 1)); // b-0 moves to broker 1
            inProcess.answer(tp -> tp.equals(A0) ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER);
            remote.answer(tp -> Errors.NONE);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(reported).containsOnlyKeys(A0, A1));
            Sent retried = sender.next();
            assertThat(retried.brokerId()).as("retried at the leader named then").isEqualTo(1);
            assertThat(retried.partitions()).containsExactly(B0);
            assertThat(local).isEmpty();
        }
    }

    @Test
    void batchesMarkersOfSeveralTransactionsWaitingForTheSameBroker() throws Exception {
        channel.send(markers(100, Set.of(A0)), completion);
        Sent first = sender.next();
        // While the first request is in flight, two more transactions queue for broker 1.
        channel.send(markers(101, Set.of(A0)), completion);
        channel.send(markers(102, Set.of(B0)), completion);
        sender.assertNothingSentFor(Duration.ofMillis(100));

        first.answer(tp -> Errors.NONE);
        Sent batched = sender.next();
        assertThat(batched.brokerId()).isEqualTo(1);
        assertThat(batched.request().markers()).extracting(WritableTxnMarker::producerId)
                .containsExactlyInAnyOrder(101L, 102L);
    }

    @Test
    void retriesANotLeaderAnswerAtTheLeaderTheImageNamesThen() throws Exception {
        channel.send(markers(100, Set.of(A0)), completion);
        Sent toOldLeader = sender.next();
        assertThat(toOldLeader.brokerId()).isEqualTo(1);

        image.set(image(2, 2, 1));
        toOldLeader.answer(tp -> Errors.NOT_LEADER_OR_FOLLOWER);

        Sent toNewLeader = sender.next();
        assertThat(toNewLeader.brokerId()).isEqualTo(2);
        assertThat(toNewLeader.partitions()).containsExactly(A0);
        assertThat(reported).isEmpty();
        toNewLeader.answer(tp -> Errors.NONE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(reported.get(A0)).containsExactly(Errors.NONE));
    }

    @Test
    void retriesAfterADisconnectOrATimedOutAppend() throws Exception {
        channel.send(markers(100, Set.of(A0)), completion);
        sender.next().fail(new DisconnectException("lost"));
        sender.next().answer(tp -> Errors.REQUEST_TIMED_OUT);
        Sent third = sender.next();
        assertThat(third.brokerId()).isEqualTo(1);
        assertThat(reported).isEmpty();
        third.answer(tp -> Errors.NONE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(reported.get(A0)).containsExactly(Errors.NONE));
    }

    @Test
    void reportsAPartitionWhoseTopicIsGoneAsUnknown() throws Exception {
        channel.send(markers(100, Set.of(A0, B0)), completion);
        Sent sent = sender.next();
        image.set(image(Map.of("b", List.of(1))));
        sent.answer(tp -> tp.equals(A0) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NONE);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(reported.get(A0)).containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(reported.get(B0)).containsExactly(Errors.NONE);
        });
        channel.send(markers(101, Set.of(new TopicPartition("never", 0))), completion);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(reported.get(new TopicPartition("never", 0)))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }

    @Test
    void reportsFencingAndUnsupportedBrokersWithoutRetrying() throws Exception {
        channel.send(markers(100, Set.of(A0, A1)), completion);
        Sent to1 = sender.next();
        Sent to2 = sender.next();
        (to1.brokerId() == 1 ? to1 : to2).answer(tp -> Errors.INVALID_PRODUCER_EPOCH);
        (to1.brokerId() == 1 ? to2 : to1).fail(new UnsupportedVersionException("no WriteTxnMarkers"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(reported.get(A0)).containsExactly(Errors.INVALID_PRODUCER_EPOCH);
            assertThat(reported.get(A1)).containsExactly(Errors.UNSUPPORTED_VERSION);
        });
        sender.assertNothingSentFor(Duration.ofMillis(BACKOFF_MS * 5));
    }

    @Test
    void aPartitionWithoutALeaderWaitsForOne() throws Exception {
        image.set(image(-1, 2, 1));
        channel.send(markers(100, Set.of(A0)), completion);
        sender.assertNothingSentFor(Duration.ofMillis(BACKOFF_MS * 5));
        image.set(image(NODE_ID, 2, 1));
        Sent sent = sender.next();
        assertThat(sent.brokerId()).isEqualTo(NODE_ID);
    }

    @Test
    void cancelDropsTheUnsentMarkersOfThePartition() throws Exception {
        channel.send(markers(100, Set.of(A0)), completion);
        Sent first = sender.next();
        channel.send(markers(101, Set.of(A0)), completion);
        channel.cancel(3);
        first.answer(tp -> Errors.NONE);
        sender.assertNothingSentFor(Duration.ofMillis(100));
    }

    @Test
    void closeEndsTheThreadClosesTheConnectionsAndReportsNothingMore() throws Exception {
        channel.send(markers(100, Set.of(A0)), completion);
        Sent inFlight = sender.next();

        channel.close();

        assertThat(sender.closed).isTrue();
        // The executor has terminated; its worker thread may still be returning from its run method.
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("strand-txn-markers-" + NODE_ID)));
        // With the executor gone, an answer or a send has nowhere to run: nothing can happen later.
        inFlight.answer(tp -> Errors.NONE);
        channel.send(markers(101, Set.of(A1)), completion);
        assertThat(reported).isEmpty();
        assertThat(sender.sent).isEmpty();
    }

    /** One request the channel sent, answered by the test. */
    private record Sent(int brokerId, WriteTxnMarkersRequestData request, CompletableFuture<ApiMessage> future) {

        List<TopicPartition> partitions() {
            List<TopicPartition> out = new ArrayList<>();
            for (WritableTxnMarker marker : request.markers()) {
                for (WritableTxnMarkerTopic topic : marker.topics()) {
                    topic.partitionIndexes().forEach(p -> out.add(new TopicPartition(topic.name(), p)));
                }
            }
            return out;
        }

        void answer(Function<TopicPartition, Errors> errors) {
            WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
            for (WritableTxnMarker marker : request.markers()) {
                WritableTxnMarkerResult result = new WritableTxnMarkerResult().setProducerId(marker.producerId());
                for (WritableTxnMarkerTopic topic : marker.topics()) {
                    WritableTxnMarkerTopicResult topicResult = new WritableTxnMarkerTopicResult().setName(topic.name());
                    for (int p : topic.partitionIndexes()) {
                        topicResult.partitions().add(new WritableTxnMarkerPartitionResult().setPartitionIndex(p)
                                .setErrorCode(errors.apply(new TopicPartition(topic.name(), p)).code()));
                    }
                    result.topics().add(topicResult);
                }
                response.markers().add(result);
            }
            future.complete(response);
        }

        void fail(Exception cause) {
            future.completeExceptionally(cause);
        }
    }

    private static final class FakeSender implements BrokerRequestSender, AutoCloseable {
        final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        volatile boolean closed;
        final AtomicBoolean wrongApi = new AtomicBoolean();

        @Override
        public CompletableFuture<ApiMessage> send(int brokerId, ApiKeys api, short minVersion,
                                                  Function<Short, ApiMessage> request) {
            if (api != ApiKeys.WRITE_TXN_MARKERS || minVersion != 1) {
                wrongApi.set(true);
            }
            CompletableFuture<ApiMessage> future = new CompletableFuture<>();
            sent.add(new Sent(brokerId, (WriteTxnMarkersRequestData) request.apply((short) 2), future));
            return future;
        }

        Sent next() throws InterruptedException {
            Sent next = sent.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a request sent").isNotNull();
            assertThat(wrongApi).isFalse();
            return next;
        }

        void assertNothingSentFor(Duration duration) throws InterruptedException {
            assertThat(sent.poll(duration.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
