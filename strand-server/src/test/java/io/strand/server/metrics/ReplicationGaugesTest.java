package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.ControllerStatus;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReplicationGaugesTest {

    @Test
    void theActiveControllersCountsComeFromOneReadingOfItsStatus() throws IOException {
        String text = HostedPartitionGaugesTest.text(ReplicationGauges.snapshots(new ControllerStatus(true, 3, 12, 2, 1)));

        assertThat(text).contains("\nstrand_controller_active 1.0\n", "\nstrand_controller_topics 3.0\n",
                "\nstrand_controller_partitions 12.0\n", "\nstrand_controller_offline_partitions 2.0\n",
                "\nstrand_controller_preferred_replica_imbalance 1.0\n");
    }

    @Test
    void aNodeWhoseControllerIsNotActiveReportsZeros() throws IOException {
        String text = HostedPartitionGaugesTest.text(ReplicationGauges.snapshots(ControllerStatus.INACTIVE));

        assertThat(text).contains("\nstrand_controller_active 0.0\n", "\nstrand_controller_partitions 0.0\n");
    }
}
