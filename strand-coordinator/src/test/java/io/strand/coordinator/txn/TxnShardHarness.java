package io.strand.coordinator.txn;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * One transaction shard on an in-memory log with a hand-driven clock, a counting producer id source
 * and a marker channel the test answers. It does on the test's thread what the runtime does on a
 * shard's: loads the shard from the log, {@link #run}s an operation (applies its records, appends
 * them — committed at once — completes its append future, answers), and runs the follow-up work the
 * shard schedules (marker outcomes) when asked ({@link #runScheduled}).
 */
final class TxnShardHarness {

    static final String TXN = "txn-1";
    static final int TIMEOUT_MS = 60_000;
    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition T1 = new TopicPartition("t", 1);

    final ManualTime time;
    final InMemoryTransactionStateLog log;
    final CountingProducerIds producerIds;
    final RecordingMarkerChannel channel;
    final TransactionCoordinatorConfig config;
    volatile short transactionVersion;
    private final ArrayDeque<Function<TransactionShard, CoordinatorResult<Void, TransactionRecord>>> scheduled =
            new ArrayDeque<>();
    private int coordinatorEpoch;
    TransactionShard shard;

    TxnShardHarness(short transactionVersion) {
        this(transactionVersion, Map.of());
    }

    TxnShardHarness(short transactionVersion, Map<String, String> props) {
        this.time = new ManualTime();
        this.log = new InMemoryTransactionStateLog();
        this.producerIds = new CountingProducerIds();
        this.channel = new RecordingMarkerChannel();
        this.config = TransactionCoordinatorConfig.from(props);
        this.transactionVersion = transactionVersion;
        this.shard = load(0);
    }

    /** A fresh shard loaded from the log at {@code epoch}, as after a failover; the old one is unloaded. */
    TransactionShard load(int epoch) {
        if (shard != null) {
            shard.onUnloaded();
        }
        coordinatorEpoch = epoch;
        scheduled.clear();
        TransactionShard fresh = new TransactionShard(new TxnShardContext(0, epoch, config, time, producerIds,
                () -> transactionVersion, channel, (partition, name, op) -> scheduled.add(op)));
        recordLog().load(0, fresh::replay);
        fresh.onLoaded(time.milliseconds());
        shard = fresh;
        return fresh;
    }

    int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    TransactionStateRecordLog recordLog() {
        return new TransactionStateRecordLog(log, time, () -> transactionVersion);
    }

    /** Runs one operation as the runtime would, its append committed at once; returns its response. */
    <T> T run(Function<TransactionShard, CoordinatorResult<T, TransactionRecord>> op) {
        return apply(op.apply(shard));
    }

    private <T> T apply(CoordinatorResult<T, TransactionRecord> result) {
        if (result.replayRecords()) {
            result.records().forEach(r -> shard.replay(CoordinatorShard.UNKNOWN_OFFSET, r));
        }
        if (!result.records().isEmpty()) {
            recordLog().append(0, result.records()).join();
        }
        if (result.appendFuture() != null) {
            result.appendFuture().complete(null);
        }
        return result.response();
    }

    /** Runs the follow-up work scheduled so far (and what it schedules), in order. */
    void runScheduled() {
        while (!scheduled.isEmpty()) {
            apply(scheduled.poll().apply(shard));
        }
    }

    int scheduledCount() {
        return scheduled.size();
    }

    /** Moves the clock and runs the shard's tick. */
    void advance(long ms) {
        time.sleep(ms);
        apply(shard.onTick(time.milliseconds()));
    }

    TransactionMetadata txn() {
        return shard.transaction(TXN);
    }

    InitProducerIdResult init() {
        return init(TXN, -1, (short) -1);
    }

    InitProducerIdResult init(String id, long expectedProducerId, short expectedEpoch) {
        return run(s -> s.initProducerIdOp().init(id, TIMEOUT_MS, expectedProducerId, expectedEpoch));
    }

    Errors add(long producerId, short epoch, TopicPartition... partitions) {
        return add(producerId, epoch, TransactionVersions.TV_0, partitions);
    }

    Errors add(long producerId, short epoch, short clientVersion, TopicPartition... partitions) {
        return run(s -> s.addPartitionsOp().add(TXN, producerId, epoch, Set.of(partitions), clientVersion));
    }

    EndTxnResult end(long producerId, short epoch, TransactionResult result, short clientVersion) {
        return run(s -> s.endTxnOp().end(TXN, producerId, epoch, result, clientVersion));
    }

    /** Writes every marker of the last send and runs the completion it schedules. */
    void writeMarkers() {
        channel.writeAllOfLast();
        runScheduled();
    }
}
