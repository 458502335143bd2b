package io.strand.server.rest;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * ListOffsets through the Admin client, per partition: a partition whose leader cannot answer gets
 * {@value #UNKNOWN} instead of failing the whole answer. Stateless.
 */
final class Offsets {

    static final long UNKNOWN = -1L;

    private Offsets() {
    }

    /**
     * The offset {@code spec} gives each of {@code partitions} (ListOffsets' answer: -1 for a
     * timestamp after the last record), or {@value #UNKNOWN} where the lookup failed.
     */
    static CompletableFuture<Map<TopicPartition, Long>> list(Admin admin, Collection<TopicPartition> partitions,
                                                             OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        ListOffsetsResult result = admin.listOffsets(request);
        Map<TopicPartition, Long> offsets = new java.util.concurrent.ConcurrentHashMap<>();
        CompletableFuture<?>[] each = partitions.stream().map(tp -> Endpoints.cf(result.partitionResult(tp))
                .handle((info, failure) -> offsets.put(tp, failure == null ? info.offset() : UNKNOWN)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(each).thenApply(done -> Map.copyOf(offsets));
    }
}
