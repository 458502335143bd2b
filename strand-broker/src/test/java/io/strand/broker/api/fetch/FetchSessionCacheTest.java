package io.strand.broker.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import io.strand.common.time.ManualTime;
import org.junit.jupiter.api.Test;

class FetchSessionCacheTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicIdPartition P0 = new TopicIdPartition(TOPIC_ID, 0, "t");
    private static final TopicIdPartition P1 = new TopicIdPartition(TOPIC_ID, 1, "t");

    private final ManualTime time = new ManualTime();
    private final FetchSessionCache cache = new FetchSessionCache(2, 1000, time, new Random(1));

    private static FetchRequest.PartitionData at(long offset) {
        return new FetchRequest.PartitionData(TOPIC_ID, offset, 0, 1024, Optional.empty());
    }

    private static LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> read(
            Map<TopicIdPartition, FetchRequest.PartitionData> partitions, long highWatermark) {
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> result = new LinkedHashMap<>();
        partitions.forEach((tp, data) -> result.put(tp, new FetchResponseData.PartitionData()
                .setPartitionIndex(tp.partition()).setHighWatermark(highWatermark).setLastStableOffset(highWatermark)
                .setLogStartOffset(0).setRecords(MemoryRecords.EMPTY)));
        return result;
    }

    @Test
    void initialFetchCreatesSessionAndIncrementalSendsOnlyChanges() {
        FetchContext full = cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0), P1, at(0)), List.of(), true);
        FetchResponseData first = full.respond(read(full.partitionsToRead(), 5));
        assertThat(first.sessionId()).isPositive();
        assertThat(first.responses().get(0).partitions()).hasSize(2);

        FetchContext incremental = cache.newContext(new FetchMetadata(first.sessionId(), 1), Map.of(), List.of(), true);
        assertThat(incremental.partitionsToRead()).containsOnlyKeys(P0, P1);
        FetchResponseData unchanged = incremental.respond(read(incremental.partitionsToRead(), 5));
        assertThat(unchanged.responses()).isEmpty();

        FetchContext next = cache.newContext(new FetchMetadata(first.sessionId(), 2), Map.of(), List.of(P1), true);
        assertThat(next.partitionsToRead()).containsOnlyKeys(P0);
        FetchResponseData moved = next.respond(read(next.partitionsToRead(), 6));
        assertThat(moved.responses().get(0).partitions()).extracting(FetchResponseData.PartitionData::highWatermark)
                .containsExactly(6L);
    }

    @Test
    void wrongEpochAndUnknownSessionAreErrors() {
        FetchContext full = cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        int sessionId = full.respond(read(full.partitionsToRead(), 1)).sessionId();
        FetchContext wrongEpoch = cache.newContext(new FetchMetadata(sessionId, 5), Map.of(), List.of(), true);
        assertThat(wrongEpoch.respond(new LinkedHashMap<>()).errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());
        FetchContext unknown = cache.newContext(new FetchMetadata(sessionId + 1, 1), Map.of(), List.of(), true);
        assertThat(unknown.respond(new LinkedHashMap<>()).errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
    }

    @Test
    void fullCacheFallsBackToSessionlessUntilAnIdleSessionCanBeEvicted() {
        cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        FetchContext third = cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        assertThat(third.respond(read(third.partitionsToRead(), 1)).sessionId()).isZero();
        time.sleep(1000);
        FetchContext fourth = cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        assertThat(fourth.respond(read(fourth.partitionsToRead(), 1)).sessionId()).isPositive();
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void finalEpochClosesTheSession() {
        FetchContext full = cache.newContext(FetchMetadata.INITIAL, Map.of(P0, at(0)), List.of(), true);
        int sessionId = full.respond(read(full.partitionsToRead(), 1)).sessionId();
        FetchContext last = cache.newContext(new FetchMetadata(sessionId, FetchMetadata.FINAL_EPOCH),
                Map.of(P0, at(1)), List.of(), true);
        assertThat(last.respond(read(last.partitionsToRead(), 1)).sessionId()).isZero();
        assertThat(cache.size()).isZero();
    }
}
