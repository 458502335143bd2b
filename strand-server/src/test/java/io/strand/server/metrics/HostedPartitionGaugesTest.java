package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.strand.broker.BrokerServer.HostedPartition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostedPartitionGaugesTest {

    private static HostedPartition partition(int id, boolean leader, int replicas, int isrSize, int minIsr) {
        return new HostedPartition("t", id, leader, 0, 0, 0, 0, replicas, isrSize, minIsr);
    }

    static String text(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, snapshots);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onlyLedPartitionsCountAsUnderReplicatedOrUnderMinIsrAsKafkaReportsThem() throws IOException {
        List<HostedPartition> hosted = List.of(
                partition(0, true, 3, 3, 2),   // healthy leader
                partition(1, true, 3, 2, 2),   // under-replicated, at min ISR
                partition(2, true, 3, 1, 2),   // under-replicated, under min ISR
                partition(3, false, 3, 1, 2),  // a follower's view: its leader reports it
                partition(4, true, 1, 1, 1));  // a single replica: at min ISR, not under-replicated

        assertThat(text(HostedPartitionGauges.snapshots(hosted))).contains(
                "\nstrand_replica_partitions 5.0\n",
                "\nstrand_replica_leader_partitions 4.0\n",
                "\nstrand_replica_under_replicated_partitions 2.0\n",
                "\nstrand_replica_under_min_isr_partitions 1.0\n",
                "\nstrand_replica_at_min_isr_partitions 2.0\n");
    }

    @Test
    void eachHostedPartitionHasItsOffsetsAndSizeUnderItsTopicAndPartition() throws IOException {
        List<HostedPartition> hosted = List.of(
                new HostedPartition("orders", 0, true, 5, 120, 100, 4096, 1, 1, 1),
                new HostedPartition("audit", 3, false, 0, 7, 7, 512, 3, 3, 2));

        assertThat(text(HostedPartitionGauges.snapshots(hosted))).contains(
                "strand_partition_log_end_offset{partition=\"0\",topic=\"orders\"} 120.0",
                "strand_partition_log_start_offset{partition=\"0\",topic=\"orders\"} 5.0",
                "strand_partition_high_watermark{partition=\"0\",topic=\"orders\"} 100.0",
                "strand_partition_log_size_bytes{partition=\"0\",topic=\"orders\"} 4096.0",
                "strand_partition_log_end_offset{partition=\"3\",topic=\"audit\"} 7.0",
                "strand_partition_log_size_bytes{partition=\"3\",topic=\"audit\"} 512.0");
    }

    @Test
    void beforeTheBrokerStartsTheCountsReadZeroAndNoPartitionHasASeries() throws IOException {
        String text = text(HostedPartitionGauges.snapshots(List.of()));

        assertThat(text).contains("\nstrand_replica_partitions 0.0\n", "\nstrand_replica_leader_partitions 0.0\n")
                .doesNotContain("strand_partition_log_end_offset{");
    }
}
