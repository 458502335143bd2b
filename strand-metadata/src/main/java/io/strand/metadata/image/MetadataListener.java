package io.strand.metadata.image;

/**
 * Told about every new {@link MetadataImage} with the {@link MetadataDelta} that made it, one call
 * at a time, in log order: first for the snapshot loaded from disk, then for each applied batch and
 * for any snapshot installed from the leader. A listener should act on what the delta says changed
 * (a broker creates and deletes partition logs from it) rather than rescan the image; a delta with
 * {@link MetadataDelta#isSnapshot()} replaced the whole image.
 *
 * <p>Threads: {@link io.strand.metadata.quorum.MetadataQuorum} calls it on its publisher thread,
 * after the image is applied; the applied image ({@code MetadataQuorum.image()}) may already be
 * further on. {@link LocalMetadataLog} calls it on the appending thread. While it runs no later
 * image reaches it: keep it short, and never wait from here on a future that needs the publisher
 * ({@code MetadataQuorum.published}, a controller's answer, a controller request). An exception is logged and the next image is published all the same.
 */
@FunctionalInterface
public interface MetadataListener {

    MetadataListener NOOP = (delta, newImage) -> { };

    void onImage(MetadataDelta delta, MetadataImage newImage);
}
