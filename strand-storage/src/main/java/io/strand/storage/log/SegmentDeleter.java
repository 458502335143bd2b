package io.strand.storage.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the segments a log dropped (retention, DeleteRecords, truncation) in two steps: the files are
 * renamed to {@code *.deleted} at once, so a restart never takes them back, and closed and removed
 * {@code file.delete.delay.ms} later, so readers still holding a slice of them finish. Thread-safe.
 * A crash in between leaves {@code *.deleted} files, removed when the log is next opened.
 */
final class SegmentDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeleter.class);

    private final String owner;
    private final Scheduler scheduler;
    private final Queue<LogSegment> pending = new ConcurrentLinkedQueue<>();

    SegmentDeleter(String owner, Scheduler scheduler) {
        this.owner = owner;
        this.scheduler = scheduler;
    }

    /** Renames the segment's files now and schedules their removal after {@code delayMs}. */
    void delete(LogSegment segment, long delayMs, String reason) throws IOException {
        LOG.info("Deleting segment owner={} baseOffset={} sizeInBytes={} reason={}", owner, segment.baseOffset(),
                segment.sizeInBytes(), reason);
        segment.markDeleted();
        pending.add(segment);
        scheduler.scheduleOnce("delete-segment-" + owner, () -> removeFiles(segment), delayMs);
    }

    private void removeFiles(LogSegment segment) {
        if (pending.remove(segment)) {
            try {
                segment.closeAndDelete();
            } catch (IOException e) {
                LOG.warn("Cannot delete files of segment owner={} baseOffset={}", owner, segment.baseOffset(), e);
            }
        }
    }

    /** Removes every pending segment's files now (clean shutdown: no reader is left). */
    void removeAllNow() {
        for (LogSegment s; (s = pending.poll()) != null; ) {
            try {
                s.closeAndDelete();
            } catch (IOException e) {
                LOG.warn("Cannot delete files of segment owner={} baseOffset={}", owner, s.baseOffset(), e);
            }
        }
    }

    /** Hands over the pending segments without removing their files (crash: left for the next start). */
    List<LogSegment> drain() {
        List<LogSegment> out = new ArrayList<>();
        for (LogSegment s; (s = pending.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }
}
