package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.TestImages;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllerStatusTest {

    @Test
    void countsTopicsPartitionsLeaderlessOnesAndLeadersOffTheirPreferredReplica() {
        MetadataImage image = TestImages.builder().broker(1).broker(2).broker(3)
                .topic("orders", 3, 1, 2)
                .topicWithPartition("lost", List.of(2, 3), List.of(3), PartitionRegistration.NO_LEADER, 4)
                .topicWithPartition("moved", List.of(1, 2), List.of(1, 2), 2, 1)
                .build();

        ControllerStatus status = ControllerStatus.ofActive(image);

        assertThat(status).isEqualTo(new ControllerStatus(true, 3, 5, 1, 2));
    }

    @Test
    void anInactiveControllerReportsNothingSoThatSumsOverNodesCountOnce() {
        assertThat(ControllerStatus.INACTIVE).isEqualTo(new ControllerStatus(false, 0, 0, 0, 0));
        assertThat(ControllerStatus.ofActive(MetadataImage.EMPTY)).isEqualTo(new ControllerStatus(true, 0, 0, 0, 0));
    }
}
