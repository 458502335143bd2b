package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer.HostedPartition;
import io.strand.coordinator.group.CommittedOffset;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {

    private static HostedPartition hosted(String topic, int partition, long highWatermark, long logEndOffset) {
        return new HostedPartition(topic, partition, true, 0, logEndOffset, highWatermark, 100, 1, 1, 1);
    }

    @Test
    void lagIsTheHighWatermarkMinusTheCommittedOffsetNeverBelowZero() {
        List<HostedPartition> hosted = List.of(hosted("orders", 0, 100, 120), hosted("orders", 1, 40, 40));
        List<CommittedOffset> committed = List.of(
                new CommittedOffset("billing", new TopicPartition("orders", 0), 70),
                new CommittedOffset("audit", new TopicPartition("orders", 0), 100),
                new CommittedOffset("billing", new TopicPartition("orders", 1), 45));

        assertThat(ConsumerLag.of(committed, hosted)).containsExactly(
                new ConsumerLag("billing", "orders", 0, 70, 30),
                new ConsumerLag("audit", "orders", 0, 100, 0),
                new ConsumerLag("billing", "orders", 1, 45, 0));
    }

    @Test
    void aPartitionNotHostedHereHasAnUnknownLag() {
        List<CommittedOffset> committed = List.of(new CommittedOffset("g", new TopicPartition("elsewhere", 3), 9));

        assertThat(ConsumerLag.of(committed, List.of(hosted("orders", 0, 5, 5))))
                .containsExactly(new ConsumerLag("g", "elsewhere", 3, 9, ConsumerLag.UNKNOWN));
    }

    @Test
    void bothFamiliesComeFromOneReadTheLagOnlyWhereItIsKnown() throws java.io.IOException {
        io.prometheus.metrics.model.snapshots.MetricSnapshots snapshots = ConsumerLagGauges.snapshots(List.of(
                new ConsumerLag("g", "orders", 0, 70, 30), new ConsumerLag("g", "elsewhere", 3, 9, ConsumerLag.UNKNOWN)));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.ExpositionFormats.init().getPrometheusTextFormatWriter()
                .write(out, snapshots);
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(text).contains("strand_consumergroup_committed_offset{group=\"g\",partition=\"0\",topic=\"orders\"} 70.0")
                .contains("strand_consumergroup_committed_offset{group=\"g\",partition=\"3\",topic=\"elsewhere\"} 9.0")
                .contains("strand_consumergroup_lag{group=\"g\",partition=\"0\",topic=\"orders\"} 30.0")
                .doesNotContain("strand_consumergroup_lag{group=\"g\",partition=\"3\"");
    }
}
