package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * New topic ids from the controller's seeded {@link Random}: never a reserved id, never one in use
 * (in the image or earlier in the same request), never one whose string form starts with '-'
 * (it would read as a command-line option). Stateless.
 */
final class TopicIds {

    private TopicIds() {
    }

    static Uuid next(Random random, MetadataImage image, Set<Uuid> usedInRequest) {
        while (true) {
            Uuid id = new Uuid(random.nextLong(), random.nextLong());
            if (!Uuid.RESERVED.contains(id) && !id.toString().startsWith("-")
                    && image.topics().byId(id).isEmpty() && usedInRequest.add(id)) {
                return id;
            }
        }
    }
}
