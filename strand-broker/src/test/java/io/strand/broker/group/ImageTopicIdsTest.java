package io.strand.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.TestImages;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ImageTopicIdsTest {

    @Test
    void idsAndNamesFollowTheImage() {
        TestImages images = TestImages.builder().broker(1).topic("orders", 2, 1);
        MetadataImage image = images.build();
        AtomicReference<MetadataImage> current = new AtomicReference<>(MetadataImage.EMPTY);
        var following = ImageTopicIds.following(current::get);

        assertThat(following.idOf("orders")).isEqualTo(Uuid.ZERO_UUID);
        current.set(image);
        assertThat(following.idOf("orders")).isEqualTo(images.topicId("orders"));
        assertThat(following.nameOf(images.topicId("orders"))).isEqualTo("orders");
        assertThat(new ImageTopicIds(image).idOf("orders")).isEqualTo(images.topicId("orders"));
    }

    @Test
    void eachPartitionsRacksAreThoseOfItsReplicasBrokersThatHaveOne() {
        MetadataImage image = TestImages.builder().broker(1, TestImages.LISTENER, "rack-a")
                .broker(2, TestImages.LISTENER, null).broker(3, TestImages.LISTENER, "rack-a")
                .topic("orders", 2, 1, 2, 3).topic("audit", 1, 2).build();
        ImageTopicIds ids = new ImageTopicIds(image);

        assertThat(ids.replicaRacks("orders"))
                .isEqualTo(List.of(List.of("rack-a", "rack-a"), List.of("rack-a", "rack-a")));
        assertThat(ids.replicaRacks("audit")).isEqualTo(List.of(List.of()));
        assertThat(ids.replicaRacks("missing")).isEmpty();
        assertThat(ImageTopicIds.following(() -> image).replicaRacks("orders"))
                .isEqualTo(ids.replicaRacks("orders"));
    }

    @Test
    void aClusterWithoutRacksHasNoneForAnyTopic() {
        MetadataImage image = TestImages.builder().broker(1).broker(2).topic("orders", 3, 1, 2).build();

        assertThat(new ImageTopicIds(image).replicaRacks("orders")).isEmpty();
    }
}
