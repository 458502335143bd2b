package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class FailoverProbeTest {

    private static final long KILL_NS = 1_000_000_000L;

    private static FailoverProbe.Send send(long startMs, long endMs, boolean acknowledged) {
        return new FailoverProbe.Send(KILL_NS + startMs * 1_000_000, KILL_NS + endMs * 1_000_000, acknowledged);
    }

    @Test
    void failoverEndsWithTheFirstAcknowledgedSendStartedAfterTheKill() {
        List<FailoverProbe.Send> sends = List.of(
                send(-3, -1, true),
                // In flight at the kill: its acknowledgement may predate the kill, so it does not count.
                send(-1, 2_400, true),
                send(2_400, 2_500, false),
                send(2_500, 2_503, true),
                send(2_503, 2_505, true));

        assertThat(FailoverProbe.failoverNs(KILL_NS, sends)).hasValue(2_503_000_000L);
    }

    @Test
    void noFailoverWhileNoSendStartedAfterTheKillIsAcknowledged() {
        assertThat(FailoverProbe.failoverNs(KILL_NS, List.of(send(-5, -4, true), send(-1, 900, true),
                send(900, 1_900, false)))).isEmpty();
        assertThat(FailoverProbe.failoverNs(KILL_NS, List.of())).isEmpty();
    }

    @Test
    void producerWaitsForEveryInSyncReplicaAndRetriesWithShortTimeouts() {
        var props = FailoverProbe.producerProps("127.0.0.1:9092");

        assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000")
                .containsEntry(ProducerConfig.METADATA_MAX_AGE_CONFIG, "500")
                .containsEntry(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
    }
}
