package io.strand.broker;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link MetadataListener} the metadata quorum is started with; passes every image on to
 * the listeners components add while the node starts and remove when they close. A component
 * added late has missed earlier images and must take the current image when it starts (the
 * replica manager and the group coordinator do).
 *
 * <p>Thread-safe: called on the quorum's threads, added to and removed from by starting and
 * closing components.
 */
final class ImageListeners implements MetadataListener {

    private static final Logger LOG = LoggerFactory.getLogger(ImageListeners.class);

    private final CopyOnWriteArrayList<MetadataListener> listeners = new CopyOnWriteArrayList<>();

    void add(MetadataListener listener) {
        listeners.add(listener);
    }

    void remove(MetadataListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void onImage(MetadataDelta delta, MetadataImage newImage) {
        for (MetadataListener listener : listeners) {
            try {
                listener.onImage(delta, newImage);
            } catch (RuntimeException e) {
                LOG.error("Metadata listener failed at appliedOffset={}", newImage.appliedOffset(), e);
            }
        }
    }
}
