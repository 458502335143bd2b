package io.strand.metadata.image;

/**
 * Told about every new {@link MetadataImage}, one call at a time, in log order: first for the
 * snapshot loaded from disk (on a Ratis start-up thread, before
 * {@link io.strand.metadata.quorum.MetadataQuorum#start} returns), then for each applied batch and for any snapshot installed from the leader (on the
 * quorum's apply thread). The image is already published when the call is made; the delta says
 * what changed, so a broker creates and deletes partition logs from it.
 *
 * <p>Nothing else is applied while it runs: keep it short and never wait on a controller or
 * {@link io.strand.metadata.quorum.MetadataQuorum#append} future from here (that future needs the
 * apply thread). An
 * exception is logged and otherwise ignored.
 */
@FunctionalInterface
public interface MetadataListener {

    MetadataListener NOOP = (delta, newImage) -> { };

    void onImage(MetadataDelta delta, MetadataImage newImage);
}
