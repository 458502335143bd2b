package io.strand.broker.replica;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Sends this broker's ISR changes to the controller as Kafka's AlterPartitionManager does: at most
 * one AlterPartition request in flight, and every change proposed meanwhile goes out together in
 * the next one. A leader that loses a follower proposes one change per partition it leads; sent one
 * by one, each waits for the previous one's metadata commit, and the last partition's acks=all
 * producers wait for all of them (tens of partitions took seconds). Batched, they take one commit.
 *
 * <p>Each caller's future completes with the whole answer of the request its change went in;
 * {@link AlterPartitionExchange#answerFor} picks its partition out. A change superseded by a newer
 * one for the same partition before it was sent is answered {@code OPERATION_NOT_ATTEMPTED}. Only
 * changes naming the same broker epoch share a request. A failed send fails every change in it.
 *
 * <p>Thread-safe: callers on any thread; the next request is sent on the thread that completed the
 * previous one.
 */
public final class AlterPartitionBatcher
        implements Function<AlterPartitionRequestData, CompletableFuture<AlterPartitionResponseData>> {

    private record Queued(AlterPartitionRequestData request, CompletableFuture<AlterPartitionResponseData> answer) {
    }

    private record PartitionKey(Uuid topicId, int partition) {
    }

    private final Function<AlterPartitionRequestData, CompletableFuture<AlterPartitionResponseData>> send;
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    private boolean inFlight;

    /** @param send sends one AlterPartition request to the active controller */
    public AlterPartitionBatcher(
            Function<AlterPartitionRequestData, CompletableFuture<AlterPartitionResponseData>> send) {
        this.send = Objects.requireNonNull(send, "send");
    }

    /** Queues one change (a request as {@link AlterPartitionExchange#request} builds it); sends at once if idle. */
    @Override
    public CompletableFuture<AlterPartitionResponseData> apply(AlterPartitionRequestData request) {
        CompletableFuture<AlterPartitionResponseData> answer = new CompletableFuture<>();
        synchronized (this) {
            queued.add(new Queued(request, answer));
        }
        maybeSendNext();
        return answer;
    }

    private void maybeSendNext() {
        List<Queued> batch = new ArrayList<>();
        List<Queued> superseded = new ArrayList<>();
        synchronized (this) {
            if (inFlight || queued.isEmpty()) {
                return;
            }
            long brokerEpoch = queued.peek().request().brokerEpoch();
            int brokerId = queued.peek().request().brokerId();
            Map<PartitionKey, Queued> latest = new LinkedHashMap<>();
            List<Queued> rest = new ArrayList<>();
            for (Queued q : queued) {
                if (q.request().brokerEpoch() != brokerEpoch || q.request().brokerId() != brokerId) {
                    rest.add(q);
                    continue;
                }
                for (PartitionKey key : keys(q.request())) {
                    Queued before = latest.put(key, q);
                    if (before != null && before != q) {
                        superseded.add(before);
                    }
                }
            }
            for (Queued q : latest.values()) {
                if (!batch.contains(q) && !superseded.contains(q)) {
                    batch.add(q);
                }
            }
            queued.clear();
            queued.addAll(rest);
            inFlight = !batch.isEmpty();
        }
        AlterPartitionResponseData notAttempted = new AlterPartitionResponseData()
                .setErrorCode(Errors.OPERATION_NOT_ATTEMPTED.code());
        superseded.forEach(q -> q.answer().complete(notAttempted));
        if (batch.isEmpty()) {
            return;
        }
        CompletableFuture<AlterPartitionResponseData> answer;
        try {
            answer = send.apply(merge(batch));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> {
            synchronized (this) {
                inFlight = false;
            }
            for (Queued q : batch) {
                if (error != null) {
                    q.answer().completeExceptionally(error);
                } else {
                    q.answer().complete(response);
                }
            }
            maybeSendNext();
        });
    }

    private static List<PartitionKey> keys(AlterPartitionRequestData request) {
        List<PartitionKey> keys = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData topic : request.topics()) {
            for (AlterPartitionRequestData.PartitionData partition : topic.partitions()) {
                keys.add(new PartitionKey(topic.topicId(), partition.partitionIndex()));
            }
        }
        return keys;
    }

    /** One request holding every partition of {@code batch}, grouped by topic id. */
    private static AlterPartitionRequestData merge(List<Queued> batch) {
        AlterPartitionRequestData first = batch.get(0).request();
        AlterPartitionRequestData merged = new AlterPartitionRequestData()
                .setBrokerId(first.brokerId()).setBrokerEpoch(first.brokerEpoch());
        Map<Uuid, AlterPartitionRequestData.TopicData> topics = new HashMap<>();
        for (Queued q : batch) {
            for (AlterPartitionRequestData.TopicData topic : q.request().topics()) {
                AlterPartitionRequestData.TopicData into = topics.computeIfAbsent(topic.topicId(), id -> {
                    AlterPartitionRequestData.TopicData t = new AlterPartitionRequestData.TopicData().setTopicId(id);
                    merged.topics().add(t);
                    return t;
                });
                for (AlterPartitionRequestData.PartitionData partition : topic.partitions()) {
                    into.partitions().add(partition.duplicate());
                }
            }
        }
        return merged;
    }
}
