package io.strand.server.rest;

import io.strand.server.http.EventStream;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpRouter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strand extension: {@code GET .../topics/{t}/tail[?partition_id=p]}, a live tail as Server-Sent
 * Events. Every partition's (or the one's) end offset is looked up before the 200 is answered, so a
 * record produced after the client saw the answer's headers is always sent. Each record is an
 * {@code event: record}, {@code id: <partition>:<offset>}, {@code data:} its {@link RecordJson}; a
 * {@code : keep-alive} comment every {@value #KEEP_ALIVE_MS} ms keeps proxies and the listener's idle
 * timer from closing the stream.
 *
 * <p>Threads: each stream owns one consumer (no group) on a thread of {@link KafkaAccess#tails()}
 * (at most {@value KafkaAccess#MAX_TAILS} streams, else 503). When the client goes away the sink's
 * close callback wakes the consumer, which is closed and the thread returned. Partitions added
 * after the stream opened are not followed. At each keep-alive the topic is looked up: once deleted,
 * the stream sends {@code event: error} (404 UNKNOWN_TOPIC_OR_PARTITION) and ends. Stateless itself.
 */
final class TailResource {

    private static final Logger LOG = LoggerFactory.getLogger(TailResource.class);
    static final long KEEP_ALIVE_MS = 15_000;

    private final KafkaAccess access;

    TailResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        routes.stream("/v3/clusters/{cluster_id}/topics/{topic_name}/tail", call -> {
            String topic = call.param("topic_name");
            try {
                access.authorizer().beforeActing(call);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(KafkaErrors.toHttp(e));
            }
            CompletableFuture<EventStream> stream = access.checkCluster(call.param("cluster_id")).thenCompose(id -> {
                Optional<Long> only = Json.queryLong(call, "partition_id", 0, Integer.MAX_VALUE);
                return Endpoints.cf(access.admin().describeTopics(Set.of(topic)).allTopicNames()).thenCompose(described -> {
                    TopicDescription description = described.get(topic);
                    List<TopicPartition> partitions = only.map(p -> List.of(new TopicPartition(topic,
                                    PartitionsResource.partitionOf(description, p.intValue()).partition())))
                            .orElseGet(() -> description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList());
                    return Offsets.list(access.admin(), partitions, OffsetSpec.latest());
                }).thenApply(ends -> sink -> start(ends, sink));
            });
            return stream.handle((s, failure) -> {
                if (failure != null) {
                    throw KafkaErrors.toHttp(failure);
                }
                return s;
            });
        });
    }

    private void start(Map<TopicPartition, Long> ends, EventStream.EventSink sink) {
        try {
            access.tails().execute(() -> run(ends, sink));
        } catch (RejectedExecutionException e) {
            sink.send("error", "", Json.object().put("error_code", 503).put("message",
                    "At most " + KafkaAccess.MAX_TAILS + " live tails at once").toString());
            sink.close();
        }
    }

    /** Throws UnknownTopicOrPartitionException (the stream's end) once the topic is deleted. */
    private void checkTopicExists(String topic) throws InterruptedException {
        try {
            access.admin().describeTopics(Set.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException unknown) {
                throw unknown;
            }
        } catch (TimeoutException e) {
            // the node is slow: keep tailing, ask again at the next keep-alive
        }
    }

    private void run(Map<TopicPartition, Long> ends, EventStream.EventSink sink) {
        String topic = ends.keySet().iterator().next().topic();
        try (Consumer<byte[], byte[]> consumer = access.newConsumer(500, 1024 * 1024)) {
            sink.onClose(consumer::wakeup);
            consumer.assign(ends.keySet());
            ends.forEach((tp, end) -> {
                if (end >= 0) {
                    consumer.seek(tp, end);
                } else {
                    consumer.seekToEnd(List.of(tp));
                }
            });
            long nextKeepAliveNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MS);
            while (sink.isOpen()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    while (!sink.isWritable() && sink.isOpen()) {
                        Thread.sleep(5); // the client reads slower than the topic grows: wait for the socket
                    }
                    sink.send("record", record.partition() + ":" + record.offset(), RecordJson.record(record).toString());
                }
                if (System.nanoTime() - nextKeepAliveNs >= 0) {
                    checkTopicExists(topic);
                    sink.comment("keep-alive");
                    nextKeepAliveNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MS);
                }
            }
        } catch (WakeupException | InterruptException e) {
            // the client went away, or the node stops
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UnknownTopicOrPartitionException e) {
            sink.send("error", "", Json.object().put("error_code", 404).put("message",
                    "UNKNOWN_TOPIC_OR_PARTITION: topic " + topic + " was deleted").toString());
        } catch (RuntimeException e) {
            LOG.warn("A live tail failed", e);
            HttpException http = KafkaErrors.toHttp(e);
            sink.send("error", "", Json.object().put("error_code", http.status()).put("message", http.getMessage()).toString());
        } finally {
            sink.close();
        }
    }
}
