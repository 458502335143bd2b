package io.strand.server.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Strand extension (REST Proxy v3 has no consume): {@code GET .../topics/{t}/partitions/{p}/records
 * ?offset=N|timestamp=ms&max_count=M&max_bytes=B} reads up to {@code max_count} records (1..
 * {@value #MAX_COUNT}, default {@value #DEFAULT_COUNT}) of at most about {@code max_bytes} (1..
 * {@value #MAX_BYTES}, default 1 MiB; at least one record) from {@code offset} (default: the log
 * start; below it: the log start) or from the first record at or after {@code timestamp}, up to the
 * high watermark (read_uncommitted), as {@link RecordJson} records. Answers within about
 * {@value #WAIT_MS} ms even when fewer records arrive.
 *
 * <p>A consumer without a group, made for the request and closed after it, on the API's executor
 * (never on the event loop). Both offset and timestamp: 400; unknown topic or partition: 404.
 * Stateless.
 */
final class ReadRecordsResource {

    static final int MAX_COUNT = 1000;
    static final int DEFAULT_COUNT = 100;
    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int DEFAULT_BYTES = 1024 * 1024;
    static final long WAIT_MS = 2000;

    private final KafkaAccess access;

    ReadRecordsResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        routes.async(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}/records",
                Endpoints.inCluster(access, (call, links) -> {
                    String topic = call.param("topic_name");
                    int partition = Json.pathInt(call, "partition_id");
                    Optional<Long> offset = Json.queryLong(call, "offset", 0, Long.MAX_VALUE);
                    Optional<Long> timestamp = Json.queryLong(call, "timestamp", 0, Long.MAX_VALUE);
                    if (offset.isPresent() && timestamp.isPresent()) {
                        throw Json.badRequest("give offset or timestamp, not both");
                    }
                    int maxCount = Json.queryLong(call, "max_count", 1, MAX_COUNT).orElse((long) DEFAULT_COUNT).intValue();
                    int maxBytes = Json.queryLong(call, "max_bytes", 1, MAX_BYTES).orElse((long) DEFAULT_BYTES).intValue();
                    return Endpoints.cf(access.admin().describeTopics(Set.of(topic)).allTopicNames())
                            .thenCompose(described -> {
                                PartitionsResource.partitionOf(described.get(topic), partition);
                                return CompletableFuture.supplyAsync(() -> read(links, new TopicPartition(topic, partition),
                                        offset, timestamp, maxCount, maxBytes), access.executor());
                            });
                }));
    }

    private HttpReply read(Links links, TopicPartition tp, Optional<Long> offset, Optional<Long> timestamp,
                           int maxCount, int maxBytes) {
        try (Consumer<byte[], byte[]> consumer = access.newConsumer(maxCount, maxBytes)) {
            consumer.assign(List.of(tp));
            long earliest = consumer.beginningOffsets(List.of(tp)).get(tp);
            long latest = consumer.endOffsets(List.of(tp)).get(tp);
            long start;
            if (timestamp.isPresent()) {
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, timestamp.get()));
                OffsetAndTimestamp at = found.get(tp);
                start = at == null ? latest : at.offset();
            } else {
                start = Math.max(earliest, offset.orElse(earliest));
            }
            ObjectNode list = Json.object().put("kind", "KafkaRecordList");
            list.set("metadata", links.listMetadata("/topics/" + tp.topic() + "/partitions/" + tp.partition() + "/records"));
            list.put("cluster_id", links.clusterId()).put("topic_name", tp.topic())
                    .put("partition_id", tp.partition()).put("earliest_offset", earliest).put("latest_offset", latest);
            ArrayNode data = list.putArray("data");
            long next = start;
            if (start < latest) {
                consumer.seek(tp, start);
                long bytes = 0;
                long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
                outer:
                while (data.size() < maxCount && next < latest && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (data.size() >= maxCount || (data.size() > 0 && bytes + RecordJson.size(record) > maxBytes)
                                || record.offset() >= latest) {
                            break outer;
                        }
                        data.add(RecordJson.record(record));
                        bytes += RecordJson.size(record);
                        next = record.offset() + 1;
                    }
                    next = Math.max(next, Math.min(consumer.position(tp), latest));
                }
            }
            list.put("next_offset", next);
            return Json.reply(200, list);
        }
    }
}
