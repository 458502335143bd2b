package io.strand.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.PropertyTestDirs;
import io.strand.storage.TestRecords;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.producer.ProducerEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * Two replicas of a partition under random leader elections (clean or not), produce requests (plain
 * and idempotent, with retries), follower fetches of random sizes, clean restarts and kills. The
 * follower finds where it diverged from each new leader as Kafka's fetcher does (OffsetForLeaderEpoch,
 * then truncation), and copies from there. After a last election and a full catch-up, the follower's
 * log is the leader's byte for byte (same batches at the same offsets with the same epochs), with the
 * same leader-epoch entries and the same state for every producer id.
 */
class ReplicaConvergenceProperties {

    static final int PRODUCERS = 3;

    sealed interface Step permits Produce, Fetch, Elect, Restart {
    }

    /**
     * A produce request to the leader; {@code producer} -1 is a plain one (compressed as given), else an
     * idempotent producer's (a retry of one of its recent batches if {@code retry}).
     */
    record Produce(int producer, int records, boolean retry, CompressionType compression) implements Step {
    }

    /** One follower fetch of at most {@code maxBytes} (at least one batch if {@code minOneBatch}). */
    record Fetch(int maxBytes, boolean minOneBatch) implements Step {
    }

    /** A new leader epoch, led by replica {@code leader}; the other replica follows it. */
    record Elect(int leader) implements Step {
    }

    /** Replica {@code replica} is shut down cleanly or killed, and started again. */
    record Restart(int replica, boolean clean) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> produce = Combinators.combine(Arbitraries.integers().between(-1, PRODUCERS - 1),
                Arbitraries.integers().between(1, 4), Arbitraries.of(false, false, false, true),
                Arbitraries.of(CompressionType.NONE, CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD))
                .as(Produce::new);
        Arbitrary<Step> fetch = Combinators.combine(Arbitraries.integers().between(1, 1500),
                Arbitraries.of(true, false)).as(Fetch::new);
        Arbitrary<Step> elect = Arbitraries.integers().between(0, 1).map(Elect::new);
        Arbitrary<Step> restart = Combinators.combine(Arbitraries.integers().between(0, 1),
                Arbitraries.of(true, false)).as(Restart::new);
        return Arbitraries.frequencyOf(Tuple.of(10, produce), Tuple.of(8, fetch), Tuple.of(3, elect),
                Tuple.of(1, restart)).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<Integer> segmentBytes() {
        return Arbitraries.integers().between(150, 2000);
    }

    @Property(tries = 60)
    void aFollowerEndsIdenticalToItsLeader(@ForAll("steps") List<Step> steps, @ForAll("segmentBytes") int segmentBytes)
            throws Exception {
        LogConfig config = LogFixture.config(TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes,
                TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 64);
        try (Cluster cluster = new Cluster(config)) {
            for (Step step : steps) {
                cluster.apply(step);
            }
            int lastLeader = (cluster.leader + 1) % 2;
            cluster.apply(new Elect(lastLeader));
            cluster.apply(new Produce(-1, 1, false, CompressionType.NONE));
            while (cluster.log(1 - lastLeader).logEndOffset() < cluster.log(lastLeader).logEndOffset()) {
                cluster.apply(new Fetch(Integer.MAX_VALUE, true));
            }

            PartitionLog leader = cluster.log(lastLeader);
            PartitionLog follower = cluster.log(1 - lastLeader);
            assertThat(follower.logStartOffset()).isEqualTo(leader.logStartOffset());
            assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
            assertThat(bytes(follower)).isEqualTo(bytes(leader));
            assertThat(follower.leaderEpochs()).isEqualTo(leader.leaderEpochs());
            for (long pid = 0; pid < PRODUCERS; pid++) {
                assertThat(describe(follower.producerState().entry(pid)))
                        .as("producer %d", pid).isEqualTo(describe(leader.producerState().entry(pid)));
            }
        }
    }

    private static String describe(ProducerEntry entry) {
        return entry == null ? "none" : "epoch=" + entry.producerEpoch() + " batches=" + entry.batches();
    }

    /** The log's bytes from its start to its end, batch after batch. */
    private static byte[] bytes(PartitionLog log) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            MemoryRecords r = TestRecords.copy(log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
            ByteBuffer buf = r.buffer();
            out.write(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            long next = offset;
            for (RecordBatch batch : r.batches()) {
                next = batch.nextOffset();
            }
            assertThat(next).as("progress reading at offset %d", offset).isGreaterThan(offset);
            offset = next;
        }
        return out.toByteArray();
    }

    /** A producer as the client library keeps it: epoch, next sequence, and its recent batches to retry. */
    static final class Producer {
        short epoch;
        int nextSequence;
        final List<String[]> recent = new ArrayList<>();
        final List<Integer> recentSequences = new ArrayList<>();

        void sent(int sequence, String[] values) {
            recent.add(values);
            recentSequences.add(sequence);
            if (recent.size() > ProducerEntry.BATCHES_TO_RETAIN) {
                recent.remove(0);
                recentSequences.remove(0);
            }
        }

        void bumpEpoch() {
            epoch++;
            nextSequence = 0;
            recent.clear();
            recentSequences.clear();
        }
    }

    /** Two replicas, each with its own log manager and directory. */
    static final class Cluster implements AutoCloseable {
        final LogConfig config;
        final Path[] dirs = new Path[2];
        final LogFixture[] fixtures = new LogFixture[2];
        final PartitionLog[] logs = new PartitionLog[2];
        final Producer[] producers = new Producer[PRODUCERS];
        int leader;
        int epoch;
        int counter;

        Cluster(LogConfig config) throws Exception {
            this.config = config;
            for (int i = 0; i < 2; i++) {
                dirs[i] = PropertyTestDirs.create("strand-replica" + i);
                fixtures[i] = new LogFixture(dirs[i]);
                logs[i] = fixtures[i].log(config);
            }
            for (int i = 0; i < PRODUCERS; i++) {
                producers[i] = new Producer();
            }
            apply(new Elect(0));
        }

        PartitionLog log(int replica) {
            return logs[replica];
        }

        void apply(Step step) {
            PartitionLog leaderLog = logs[leader];
            PartitionLog followerLog = logs[1 - leader];
            if (step instanceof Produce p) {
                produce(leaderLog, p);
            } else if (step instanceof Fetch f) {
                Records fetched = leaderLog.read(followerLog.logEndOffset(), f.maxBytes(), Long.MAX_VALUE,
                        f.minOneBatch()).records();
                followerLog.appendAsFollower(TestRecords.copy(fetched));
                leaderLog.updateHighWatermark(Math.min(leaderLog.logEndOffset(), followerLog.logEndOffset()));
                followerLog.updateHighWatermark(leaderLog.highWatermark());
            } else if (step instanceof Elect e) {
                epoch++;
                leader = e.leader();
                logs[leader].assignEpochStartOffset(epoch, logs[leader].logEndOffset());
                reconcile(logs[1 - leader], logs[leader]);
            } else if (step instanceof Restart r) {
                if (r.clean()) {
                    fixtures[r.replica()].restartClean();
                } else {
                    fixtures[r.replica()].crashAndRestart();
                }
                logs[r.replica()] = fixtures[r.replica()].log(config);
                if (r.replica() == leader) {
                    logs[leader].assignEpochStartOffset(epoch, logs[leader].logEndOffset());
                }
            }
            for (PartitionLog log : logs) {
                assertThat(log.logStartOffset()).isLessThanOrEqualTo(log.highWatermark());
                assertThat(log.highWatermark()).isLessThanOrEqualTo(log.logEndOffset());
            }
        }

        private void produce(PartitionLog leaderLog, Produce p) {
            long timestampMs = LogFixture.START_MS + counter;
            if (p.producer() < 0) {
                leaderLog.appendAsLeader(TestRecords.batch(p.compression(), timestampMs, values(p.records())), epoch);
                return;
            }
            Producer producer = producers[p.producer()];
            long pid = p.producer();
            if (p.retry() && !producer.recent.isEmpty()) {
                int i = counter % producer.recent.size();
                try {
                    leaderLog.appendAsLeader(TestRecords.idempotent(pid, producer.epoch, producer.recentSequences.get(i),
                            timestampMs, producer.recent.get(i)), epoch);
                } catch (OutOfOrderSequenceException | InvalidProducerEpochException e) {
                    producer.bumpEpoch();
                }
                counter++;
                return;
            }
            String[] values = values(p.records());
            try {
                leaderLog.appendAsLeader(TestRecords.idempotent(pid, producer.epoch, producer.nextSequence, timestampMs,
                        values), epoch);
            } catch (OutOfOrderSequenceException | InvalidProducerEpochException e) {
                // The new leader lost the producer's last batches: it starts a new epoch, as the client does.
                producer.bumpEpoch();
                leaderLog.appendAsLeader(TestRecords.idempotent(pid, producer.epoch, 0, timestampMs, values), epoch);
            }
            producer.sent(producer.nextSequence, values);
            producer.nextSequence += values.length;
        }

        private String[] values(int count) {
            String[] values = new String[count];
            for (int i = 0; i < count; i++) {
                values[i] = "r" + counter++;
            }
            return values;
        }

        /**
         * The follower's side of a leader change, as Kafka's fetcher does it: ask the leader where the
         * follower's latest epoch ends; if the leader knows that epoch, truncate to the smaller end; if it
         * only knows an older one, cut the follower back to where it has that one and ask again.
         */
        static void reconcile(PartitionLog follower, PartitionLog leader) {
            for (int round = 0; round < 1000; round++) {
                int latest = follower.latestEpoch();
                if (latest < 0) {
                    if (follower.logEndOffset() > leader.logEndOffset()) {
                        follower.truncateTo(leader.logEndOffset());
                    }
                    return;
                }
                EpochEndOffset answer = leader.endOffsetForEpoch(latest);
                if (answer.equals(EpochEndOffset.UNDEFINED)) {
                    follower.truncateFullyAndStartAt(leader.logStartOffset());
                    return;
                }
                EpochEndOffset mine = follower.endOffsetForEpoch(answer.leaderEpoch());
                long target = Math.min(answer.endOffset(), mine.endOffset());
                if (mine.leaderEpoch() == answer.leaderEpoch()) {
                    follower.truncateTo(Math.min(target, follower.logEndOffset()));
                    return;
                }
                follower.truncateTo(target);
            }
            throw new AssertionError("Follower did not find where it diverged: " + follower + " leader=" + leader);
        }

        @Override
        public void close() throws Exception {
            for (int i = 0; i < 2; i++) {
                if (fixtures[i] != null) {
                    fixtures[i].close();
                }
                if (dirs[i] != null) {
                    StorageFiles.deleteRecursively(dirs[i]);
                }
            }
        }
    }
}
