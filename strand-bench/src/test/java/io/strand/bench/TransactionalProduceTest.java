package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class TransactionalProduceTest {

    private static final String INIT_TIMEOUT = "Timeout expired after 30000ms while awaiting InitProducerId";

    /** A clock that moves one millisecond each time it is read: the run's loop ends without waiting. */
    private static final class TickingTime implements Time {
        private long nowNs;

        @Override
        public long milliseconds() {
            return nanoseconds() / 1_000_000;
        }

        @Override
        public long nanoseconds() {
            nowNs += 1_000_000;
            return nowNs;
        }

        @Override
        public void sleep(long ms) {
            nowNs += ms * 1_000_000;
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }

    private static MockProducer<byte[], byte[]> producer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static TransactionalProduce produce(MockProducer<byte[], byte[]> producer) {
        return new TransactionalProduce(new TickingTime(), () -> producer, TransactionalProduce.TOPIC, 20, 100);
    }

    @Test
    void countsOnlyTheCommittedTransactionsBegunAfterTheWarmUp() {
        MockProducer<byte[], byte[]> producer = producer();

        TransactionalProduce.Result result = produce(producer).run();

        assertThat(producer.transactionInitialized()).isTrue();
        assertThat(result.transactions()).isPositive().isLessThan(producer.commitCount());
        assertThat(result.records()).isEqualTo(result.transactions() * TransactionalProduce.RECORDS_PER_TRANSACTION);
        assertThat(producer.history()).hasSize((int) producer.commitCount() * TransactionalProduce.RECORDS_PER_TRANSACTION)
                .allSatisfy(record -> {
                    assertThat(record.topic()).isEqualTo(TransactionalProduce.TOPIC);
                    assertThat(record.key()).isNull();
                    assertThat(record.value()).hasSize(1024);
                });
        assertThat(result.elapsedNs()).isPositive();
        assertThat(result.mbPerSec()).isEqualTo(result.recordsPerSec() * 1024 / (1024 * 1024));
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void aStepThatFailsIsNamedAndTheProducerClosed() {
        MockProducer<byte[], byte[]> producer = producer();
        producer.commitTransactionException = new ProducerFencedException("fenced by a newer epoch");

        assertThatThrownBy(() -> produce(producer).run()).isInstanceOf(TransactionalProduce.Failed.class)
                .hasMessage("commitTransaction: ProducerFencedException: fenced by a newer epoch");
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void aBrokerWithoutTransactionsGetsFailedCellsAndTheOtherFiguresStay() {
        Samples samples = new Samples();
        samples.record(Metric.PRODUCE_LARGE_RECORDS_PER_SEC, BrokerKind.KAFKA, 65_000);
        samples.record(Metric.PRODUCE_LARGE_RECORDS_PER_SEC, BrokerKind.STRAND, 91_000);
        samples.record(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.KAFKA, 40_000);
        samples.record(Metric.TXN_PRODUCE_MB_PER_SEC, BrokerKind.KAFKA, 39.06);
        MockProducer<byte[], byte[]> producer = producer();
        producer.initTransactionException = new TimeoutException(INIT_TIMEOUT);

        TransactionalProduce.measure(produce(producer), samples, BrokerKind.STRAND);

        String reason = "failed (initTransactions: TimeoutException: " + INIT_TIMEOUT + ")";
        assertThat(samples.values(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.STRAND)).isEmpty();
        assertThat(samples.note(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.STRAND)).contains(reason);
        assertThat(samples.note(Metric.TXN_PRODUCE_MB_PER_SEC, BrokerKind.STRAND)).contains(reason);
        assertThat(producer.history()).isEmpty();
        assertThat(producer.closed()).isTrue();
        String markdown = new Report("2026-12-06T09:00:00Z", ReportTest.MACHINE, Workload.full(1), "-Xmx1g",
                List.of(), "abc1234", samples).markdown();
        assertThat(markdown).contains("| produce 1 KiB records, acks=all, 6 partitions | records/s | 65,000 | 91,000 "
                + "| 1.40 | higher |",
                "| transactional produce 1 KiB records, acks=all, 100 per transaction, 6 partitions (target ≥ 1.3×) "
                        + "| records/s | 40,000 | " + reason + " | — | higher |");
    }

    @Test
    void aFailureReasonFitsOneTableCell() {
        assertThat(TransactionalProduce.failedReason("send: KafkaException: a | b\n  at x"))
                .isEqualTo("failed (send: KafkaException: a / b at x)");
        assertThat(TransactionalProduce.failedReason("x".repeat(500))).hasSize("failed ()".length() + 200);
    }
}
