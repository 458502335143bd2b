package io.strand.broker.api.group;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import org.apache.kafka.common.Uuid;

/** Topic ids (OffsetCommit and OffsetFetch v10) resolved to the names offsets are stored under. */
final class TopicIds {

    static final short FIRST_TOPIC_ID_VERSION = 10;

    private TopicIds() {
    }

    /** The topic's name, or null if no topic has this id. */
    static String nameOf(MetadataImage image, Uuid topicId) {
        return image.topics().byId(topicId).map(TopicImage::name).orElse(null);
    }
}
