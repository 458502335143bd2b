package io.strand.broker.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A slice of a segment file sent with {@code sendfile}. Unlike its parent it does not close the file
 * channel when released: the channel belongs to the segment, which outlives any one response (and
 * deleted segments keep their files for {@code file.delete.delay.ms}). On a TLS connection
 * {@link FileRegionReader} reads it into buffers instead.
 */
final class SharedFileRegion extends DefaultFileRegion {

    private final FileChannel file;

    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
        this.file = channel;
    }

    /** The segment's file, for reading the region where it cannot be sent with sendfile (TLS). */
    FileChannel fileChannel() {
        return file;
    }

    @Override
    protected void deallocate() {
        // The segment owns the channel.
    }
}
