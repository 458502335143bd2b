package io.strand.storage.file;

import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The names of a log's files and directories, Kafka's layout. Stateless.
 *
 * <pre>
 * &lt;log dir&gt;/
 *   .lock                              held while a log manager owns the dir
 *   .strand_cleanshutdown              present only between a clean close and the next startup
 *   recovery-point-offset-checkpoint   per partition: offset below which everything was fsynced
 *   replication-offset-checkpoint      per partition: high watermark
 *   log-start-offset-checkpoint        per partition: log start offset
 *   cleaner-offset-checkpoint          per compacted partition: where its clean section ends
 *   &lt;topic&gt;-&lt;partition&gt;/
 *     partition.metadata               the topic id
 *     leader-epoch-checkpoint          leader epoch → start offset
 *     00000000000000000000.log         record batches, named by the segment's base offset
 *     00000000000000000000.index       offset index
 *     00000000000000000000.timeindex   time index
 *     00000000000000000000.txnindex    aborted transactions whose marker is in the segment (only if any)
 *     00000000000000001234.snapshot    producer state as of offset 1234
 *   &lt;topic&gt;-&lt;partition&gt;.&lt;n&gt;-delete/   a deleted partition waiting for its files to go
 * </pre>
 *
 * Files ending in {@code .deleted} wait for their delayed removal; files ending in {@code .tmp} are
 * half-written checkpoints. Both are removed when a log is opened. A segment the cleaner is writing
 * has its files named {@code <offset>.log.cleaned} etc.; renamed to {@code .swap} they are a
 * finished replacement for the segments in their offset range (see the log's {@code SwapRecovery}).
 */
public final class LogFileNames {

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_SUFFIX = ".txnindex";
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    public static final String DELETED_SUFFIX = ".deleted";
    public static final String TMP_SUFFIX = ".tmp";
    public static final String CLEANED_SUFFIX = ".cleaned";
    public static final String SWAP_SUFFIX = ".swap";
    public static final String CLEANER_CHECKPOINT = "cleaner-offset-checkpoint";
    public static final String DELETE_DIR_SUFFIX = "-delete";
    /** A partition directory the metadata did not know, set aside for an operator (Kafka's suffix). */
    public static final String STRAY_DIR_SUFFIX = "-stray";
    /** Longest directory name most file systems take. */
    public static final int MAX_DIR_NAME_LENGTH = 255;
    public static final String PARTITION_METADATA = "partition.metadata";
    public static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
    public static final String LOG_START_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String CLEAN_SHUTDOWN_MARKER = ".strand_cleanshutdown";
    public static final String LOCK_FILE = ".lock";

    private static final int OFFSET_DIGITS = 20;

    private LogFileNames() {
    }

    /** The offset written with 20 digits, zero-padded, as segment and snapshot files are named. */
    public static String offsetName(long offset) {
        String digits = Long.toString(offset);
        return "0".repeat(Math.max(0, OFFSET_DIGITS - digits.length())) + digits;
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + LOG_SUFFIX);
    }

    public static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    public static Path txnIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + TXN_INDEX_SUFFIX);
    }

    public static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(offsetName(offset) + SNAPSHOT_SUFFIX);
    }

    /** The offset a segment or snapshot file is named by, or -1 if the name is not an offset. */
    public static long offsetOf(String fileName) {
        int dot = fileName.indexOf('.');
        if (dot != OFFSET_DIGITS) {
            return -1L;
        }
        try {
            return Long.parseLong(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    public static String partitionDirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * {@code <topic>-<partition>.<uniqueId>-stray}, as Kafka names a stray partition directory; the
     * topic is cut short if the whole would pass {@link #MAX_DIR_NAME_LENGTH} characters.
     */
    public static String strayDirName(TopicPartition tp, String uniqueId) {
        String suffix = "-" + tp.partition() + "." + uniqueId + STRAY_DIR_SUFFIX;
        String topic = tp.topic();
        return topic.substring(0, Math.min(topic.length(), MAX_DIR_NAME_LENGTH - suffix.length())) + suffix;
    }

    /** The partition a directory holds, if its name is {@code <topic>-<partition>}. */
    public static Optional<TopicPartition> parsePartitionDirName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1 || name.endsWith(DELETE_DIR_SUFFIX)
                || name.endsWith(STRAY_DIR_SUFFIX)) {
            return Optional.empty();
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition < 0 ? Optional.empty()
                    : Optional.of(new TopicPartition(name.substring(0, dash), partition));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
