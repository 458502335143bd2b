package io.strand.metadata.quorum;

import io.strand.metadata.record.MetadataRecordSerde;
import java.nio.ByteBuffer;

/**
 * The leader's image as an observer receives it, chunk by chunk ({@link MetadataFetchFormat.ImageChunk}):
 * one buffer of the image's whole length, filled in order. A chunk that does not continue where the
 * last one ended, or belongs to another image, is refused; the observer then starts over from the
 * first chunk. Holds the whole image's bytes until it is complete. Not thread-safe: the observer's
 * scheduler thread only.
 */
final class ImageAssembly {

    private final long appliedOffset;
    private final byte[] bytes;
    private int received;

    private ImageAssembly(long appliedOffset, int imageBytes) {
        this.appliedOffset = appliedOffset;
        this.bytes = new byte[imageBytes];
    }

    /** An assembly begun by {@code first}, which must start the image (position 0). */
    static ImageAssembly begin(MetadataFetchFormat.ImageChunk first) {
        if (first.position() != 0) {
            throw new IllegalArgumentException("An image starts at position 0, not position=" + first.position());
        }
        ImageAssembly assembly = new ImageAssembly(first.appliedOffset(), first.imageBytes());
        assembly.accept(first);
        return assembly;
    }

    /** Adds {@code chunk} if it continues this image where it ends; false (and nothing changed) otherwise. */
    boolean accept(MetadataFetchFormat.ImageChunk chunk) {
        if (chunk.appliedOffset() != appliedOffset || chunk.imageBytes() != bytes.length
                || chunk.position() != received) {
            return false;
        }
        System.arraycopy(chunk.data(), 0, bytes, received, chunk.data().length);
        received += chunk.data().length;
        return true;
    }

    long appliedOffset() {
        return appliedOffset;
    }

    /** Bytes received so far: where the next chunk starts. */
    int received() {
        return received;
    }

    boolean complete() {
        return received == bytes.length;
    }

    /** The whole image's records with its applied offset; only once {@link #complete()}. */
    SnapshotFile.Contents contents() {
        if (!complete()) {
            throw new IllegalStateException("Image incomplete: appliedOffset=" + appliedOffset + " received="
                    + received + " imageBytes=" + bytes.length);
        }
        return new SnapshotFile.Contents(appliedOffset, MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(bytes)));
    }
}
