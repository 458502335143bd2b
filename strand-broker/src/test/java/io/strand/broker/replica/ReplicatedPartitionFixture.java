package io.strand.broker.replica;

import io.strand.common.config.BrokerConfig;
import io.strand.common.time.ManualTime;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.log.LogAppendResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;

/**
 * Broker 1 hosting partition {@code events-0} of a three-broker cluster, with manual time, the
 * AlterPartition channel faked (requests recorded, answered by the test) and the fetcher faked (calls
 * recorded). Metadata changes go through {@link ReplicaManager#onMetadataUpdate} as in the broker.
 */
public final class ReplicatedPartitionFixture implements AutoCloseable {

    public static final int LOCAL = 1;
    public static final String TOPIC = "events";
    public static final Uuid TOPIC_ID = new Uuid(5L, 5L);
    public static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    public static final long LAG_MS = 10_000L;
    public static final long LOCAL_BROKER_EPOCH = 100L;

    public final ManualTime time = new ManualTime();
    public final List<AlterPartitionRequestData> sent = new CopyOnWriteArrayList<>();
    public final List<CompletableFuture<AlterPartitionResponseData>> answers = new CopyOnWriteArrayList<>();
    public final List<String> fetcherCalls = new CopyOnWriteArrayList<>();
    /** Brokers the metadata would show fenced or shutting down: they may not join an ISR. */
    /** ISR shrinks and expansions the controller accepted, as counted through {@link Replication#isrChanges}. */
    public final java.util.concurrent.atomic.AtomicInteger isrShrinks = new java.util.concurrent.atomic.AtomicInteger();
    public final java.util.concurrent.atomic.AtomicInteger isrExpands = new java.util.concurrent.atomic.AtomicInteger();
    public final java.util.Set<Integer> ineligible = java.util.concurrent.ConcurrentHashMap.newKeySet();
    public final LogManager logManager;
    public final ReplicaManager replicaManager;
    private MetadataImage image;
    private long offset;

    public ReplicatedPartitionFixture(Path dir, List<Integer> replicas, List<Integer> isr, int minInsyncReplicas) {
        logManager = new LogManager(LogManagerConfig.withDefaults(List.of(dir)), Time.SYSTEM);
        logManager.startup();
        FollowerFetching fetching = new FollowerFetching() {
            @Override
            public void follow(Partition partition, int leaderId, int leaderEpoch) {
                fetcherCalls.add("follow " + partition.topicPartition() + " from " + leaderId + " in " + leaderEpoch);
            }

            @Override
            public void unfollow(TopicPartition tp) {
                fetcherCalls.add("unfollow " + tp);
            }
        };
        Replication replication = new Replication(time, LAG_MS, request -> {
            sent.add(request);
            CompletableFuture<AlterPartitionResponseData> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }, () -> LOCAL_BROKER_EPOCH, fetching, (brokerId, brokerEpoch) -> !ineligible.contains(brokerId),
                new io.strand.broker.metrics.IsrChangeMetrics() {
                    @Override
                    public void onShrink() {
                        isrShrinks.incrementAndGet();
                    }

                    @Override
                    public void onExpand() {
                        isrExpands.incrementAndGet();
                    }
                });
        replicaManager = new ReplicaManager(LOCAL, logManager, new LogConfigResolver(BrokerConfig.defaults()), replication);
        List<MetadataRecord> records = new ArrayList<>();
        for (int broker = 1; broker <= 3; broker++) {
            records.add(new RegisterBrokerRecord(broker, new Uuid(7L, broker),
                    List.of(new Endpoint("PLAINTEXT", "broker-" + broker, 9092, "PLAINTEXT")), null));
        }
        records.add(new TopicRecord(TOPIC, TOPIC_ID));
        records.add(new ConfigRecord(ConfigResource.Type.TOPIC, TOPIC, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                Integer.toString(minInsyncReplicas)));
        records.add(new PartitionRecord(TOPIC_ID, 0, replicas, isr, LOCAL, 0, 0));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        offset = records.size();
        image = delta.apply(offset);
        replicaManager.start(image);
    }

    public MetadataImage image() {
        return image;
    }

    public Partition partition() {
        return replicaManager.partition(TP).orElseThrow();
    }

    /** Publishes a metadata change as the broker's image listener would. */
    public void publish(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : records) {
            delta.replay(record);
        }
        image = delta.apply(++offset);
        replicaManager.onMetadataUpdate(delta, image);
    }

    public void publishPartition(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                 int partitionEpoch) {
        publish(new PartitionRecord(TOPIC_ID, 0, replicas, isr, leader, leaderEpoch, partitionEpoch));
    }

    /** Appends {@code count} records in one batch as leader with acks=1; returns the result. */
    public LogAppendResult append(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(time.milliseconds(), null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return partition().appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), (short) 1, 1);
    }

    /** A follower's fetch at {@code fetchOffset}, as the Fetch handler records it. */
    public void fetch(int replicaId, long fetchOffset) {
        Partition p = partition();
        long leaderEnd = p.readForFollower(replicaId, fetchOffset, 1 << 20, true).logEndOffset();
        p.updateFollowerFetchState(replicaId, replicaId * 10L, fetchOffset, leaderEnd, time.milliseconds());
    }

    /** The last request sent: its proposed ISR. */
    public List<Integer> lastProposedIsr() {
        AlterPartitionRequestData last = sent.get(sent.size() - 1);
        return last.topics().get(0).partitions().get(0).newIsrWithEpochs().stream()
                .map(AlterPartitionRequestData.BrokerState::brokerId).toList();
    }

    /** Answers the last request as the controller accepting it, in {@code partitionEpoch}. */
    public void accept(int leaderEpoch, int partitionEpoch) {
        answerLast(new AlterPartitionResponseData.PartitionData().setPartitionIndex(0).setLeaderId(LOCAL)
                .setLeaderEpoch(leaderEpoch).setIsr(lastProposedIsr()).setPartitionEpoch(partitionEpoch));
    }

    public void reject(Errors error) {
        answerLast(new AlterPartitionResponseData.PartitionData().setPartitionIndex(0).setErrorCode(error.code()));
    }

    private void answerLast(AlterPartitionResponseData.PartitionData partition) {
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        response.topics().add(new AlterPartitionResponseData.TopicData().setTopicId(TOPIC_ID));
        response.topics().get(0).partitions().add(partition);
        answers.get(answers.size() - 1).complete(response);
    }

    @Override
    public void close() {
        logManager.close();
    }
}
