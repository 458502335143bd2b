package io.strand.storage.log;

/**
 * A follower's append whose first batch starts below the log end: the records overlap what the log
 * already holds, so the fetcher and the log disagree about where the log ends (for example, a fetch
 * answer arrived after a truncation). Nothing was written; the caller re-reads the log end and fetches
 * again from there. Kafka's broker raises an exception of the same name in the same case.
 */
public final class UnexpectedAppendOffsetException extends IllegalStateException {

    private final long firstOffset;
    private final long logEndOffset;

    public UnexpectedAppendOffsetException(String partition, long firstOffset, long logEndOffset) {
        super("Follower append starts below the log end: partition=" + partition + " firstOffset=" + firstOffset
                + " logEndOffset=" + logEndOffset);
        this.firstOffset = firstOffset;
        this.logEndOffset = logEndOffset;
    }

    /** The base offset of the first batch of the refused append. */
    public long firstOffset() {
        return firstOffset;
    }

    /** The log end offset when the append was refused. */
    public long logEndOffset() {
        return logEndOffset;
    }
}
