package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.T1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the shard holds after any sequence of operations is what a shard loaded from the log
 * rebuilds (but for the previous producer epoch, which Kafka's format does not keep).
 */
class ReplayTest {

    @ParameterizedTest
    @ValueSource(shorts = {0, 1, 2})
    void aShardLoadedFromTheLogHoldsWhatTheLiveShardHeld(short transactionVersion) {
        TxnShardHarness h = new TxnShardHarness(transactionVersion);
        Random random = new Random(17 + transactionVersion);
        String[] ids = {"a", "b", "c", "d"};
        for (int step = 0; step < 400; step++) {
            String id = ids[random.nextInt(ids.length)];
            TransactionMetadata txn = h.shard.transaction(id);
            long producerId = txn == null ? -1 : txn.producerId();
            short epoch = txn == null ? -1 : txn.producerEpoch();
            short clientVersion = random.nextBoolean() ? transactionVersion : TransactionVersions.TV_0;
            switch (random.nextInt(6)) {
                case 0 -> h.run(s -> s.initProducerIdOp().init(id, 30_000, -1, (short) -1));
                case 1 -> h.run(s -> s.addPartitionsOp().add(id, producerId, epoch,
                        java.util.Set.of(random.nextBoolean() ? T0 : T1), clientVersion));
                case 2 -> h.run(s -> s.endTxnOp().end(id, producerId, epoch,
                        random.nextBoolean() ? TransactionResult.COMMIT : TransactionResult.ABORT, clientVersion));
                case 3 -> {
                    if (!h.channel.sent.isEmpty()) {
                        h.writeMarkers();
                    }
                }
                case 4 -> h.advance(random.nextInt(40_000));
                default -> h.runScheduled();
            }
        }
        Map<String, TransactionMetadata> live = new TreeMap<>();
        short valueVersion = TransactionVersions.logValueVersion(transactionVersion);
        h.shard.snapshot().forEach((id, m) -> live.put(id, m.asStored(valueVersion)));

        h.load(1);

        assertThat(h.shard.snapshot()).isEqualTo(live);
        assertThat(live).isNotEmpty();
    }
}
