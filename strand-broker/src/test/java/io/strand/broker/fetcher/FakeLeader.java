package io.strand.broker.fetcher;

import io.strand.storage.checkpoint.EpochEndOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * A leader of one partition in memory, answering Fetch and ListOffsets as Kafka's leader does for a
 * follower: epoch checks first, then divergence from {@code last_fetched_epoch}, then the offset
 * range, then the records. Records every Fetch it was sent.
 */
final class FakeLeader implements LeaderEndpoint {

    final InMemoryLog log;
    final List<FetchRequestData> fetches = new ArrayList<>();
    private final int brokerId;
    private volatile int leaderEpoch;
    private volatile RuntimeException failure;
    private volatile boolean closed;
    private volatile long holdEmptyAnswersMs;

    FakeLeader(int brokerId, InMemoryLog log, int leaderEpoch) {
        this.brokerId = brokerId;
        this.log = log;
        this.leaderEpoch = leaderEpoch;
    }

    void becomeLeaderAt(int epoch) {
        leaderEpoch = epoch;
    }

    /** Every request fails with {@code failure} until cleared with null. */
    void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    /**
     * Answers without records only after {@code ms} (real time), as a leader holds a fetch for
     * {@code max_wait_ms}; for tests where the fetcher runs on its own thread.
     */
    FakeLeader holdingEmptyAnswersFor(long ms) {
        holdEmptyAnswersMs = ms;
        return this;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public int brokerId() {
        return brokerId;
    }

    @Override
    public synchronized CompletableFuture<FetchResponseData> fetch(FetchRequestData request) {
        fetches.add(request.duplicate());
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        FetchResponseData answer = answer(request);
        boolean empty = answer.responses().stream().flatMap(t -> t.partitions().stream())
                .allMatch(p -> p.errorCode() == 0 && p.records().sizeInBytes() == 0);
        if (empty && holdEmptyAnswersMs > 0) {
            return CompletableFuture.supplyAsync(() -> answer,
                    CompletableFuture.delayedExecutor(holdEmptyAnswersMs, TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.completedFuture(answer);
    }

    /** The answer to {@code request}, without recording it. */
    synchronized FetchResponseData answer(FetchRequestData request) {
        FetchResponseData response = new FetchResponseData();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            FetchResponseData.FetchableTopicResponse out = new FetchResponseData.FetchableTopicResponse()
                    .setTopicId(topic.topicId());
            for (FetchRequestData.FetchPartition wanted : topic.partitions()) {
                out.partitions().add(answer(wanted));
            }
            response.responses().add(out);
        }
        return response;
    }

    private FetchResponseData.PartitionData answer(FetchRequestData.FetchPartition wanted) {
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(wanted.partition())
                .setHighWatermark(log.highWatermark())
                .setLogStartOffset(log.logStartOffset())
                .setRecords(MemoryRecords.EMPTY);
        if (wanted.currentLeaderEpoch() < leaderEpoch) {
            return data.setErrorCode(Errors.FENCED_LEADER_EPOCH.code());
        }
        if (wanted.currentLeaderEpoch() > leaderEpoch) {
            return data.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code());
        }
        if (wanted.lastFetchedEpoch() >= 0) {
            EpochEndOffset end = log.endOffsetForEpoch(wanted.lastFetchedEpoch());
            if (end.leaderEpoch() < wanted.lastFetchedEpoch() || end.endOffset() < wanted.fetchOffset()) {
                data.divergingEpoch().setEpoch(end.leaderEpoch()).setEndOffset(end.endOffset());
                return data;
            }
        }
        if (wanted.fetchOffset() < log.logStartOffset() || wanted.fetchOffset() > log.logEndOffset()) {
            return data.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        return data.setRecords(log.read(wanted.fetchOffset(), wanted.partitionMaxBytes()));
    }

    @Override
    public CompletableFuture<ListOffsetsResponseData> listOffsets(ListOffsetsRequestData request) {
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse out = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                    .setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                long offset = p.timestamp() == ListOffsetsRequest.LATEST_TIMESTAMP ? log.logEndOffset()
                        : log.logStartOffset();
                out.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setOffset(offset).setLeaderEpoch(leaderEpoch));
            }
            response.topics().add(out);
        }
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public void close() {
        closed = true;
    }
}
