package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer.HostedPartition;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationGaugesTest {

    private static HostedPartition partition(boolean leader, int replicas, int isrSize, int minIsr) {
        return new HostedPartition("t", 0, leader, 0, 0, 0, 0, replicas, isrSize, minIsr);
    }

    @Test
    void onlyLedPartitionsCountAsUnderReplicatedOrUnderMinIsrAsKafkaReportsThem() {
        List<HostedPartition> hosted = List.of(
                partition(true, 3, 3, 2),   // healthy leader
                partition(true, 3, 2, 2),   // under-replicated, at min ISR
                partition(true, 3, 1, 2),   // under-replicated, under min ISR
                partition(false, 3, 1, 2),  // a follower's view: its leader reports it
                partition(true, 1, 1, 1));  // a single replica: at min ISR, not under-replicated

        assertThat(ReplicationGauges.count(hosted, p -> true)).isEqualTo(5);
        assertThat(ReplicationGauges.count(hosted, HostedPartition::leader)).isEqualTo(4);
        assertThat(ReplicationGauges.count(hosted, HostedPartition::underReplicated)).isEqualTo(2);
        assertThat(ReplicationGauges.count(hosted, HostedPartition::underMinIsr)).isEqualTo(1);
        assertThat(ReplicationGauges.count(hosted, HostedPartition::atMinIsr)).isEqualTo(2);
    }
}
