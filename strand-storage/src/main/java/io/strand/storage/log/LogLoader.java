package io.strand.storage.log;

import io.strand.storage.checkpoint.CheckpointedOffsets;
import io.strand.storage.checkpoint.LeaderEpochCache;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.producer.CompletedTxn;
import io.strand.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the files of one partition directory and rebuilds everything derived from them: the segment
 * map, the log end and start offsets, the leader epochs and the producer state. Runs once per log, on
 * the thread that opens it, before the log is visible to anyone else.
 *
 * <p><b>Recovery.</b> After a clean shutdown (marker present) the files are trusted as they are. After
 * an unclean one, every segment from the one holding the checkpointed recovery point onwards is
 * re-read by {@link LogSegment#recover}: CRC and framing of each batch checked, the file cut at the
 * first bad byte (with a WARN naming file and position), the indexes rebuilt; segments after a cut are
 * deleted. A segment whose indexes are missing or malformed is recovered in any case. Leftover
 * {@code .deleted} and {@code .tmp} files, and index files without a {@code .log}, are removed; a
 * segment replacement the cleaner left unfinished is completed or discarded first ({@link SwapRecovery}).
 *
 * <p><b>Producer state and transaction indexes.</b> The producer state is loaded from the latest
 * snapshot at or below both the log end and the first recovered segment's base offset (snapshots above
 * the log end are deleted), and the batches after it are replayed. The transaction indexes are a
 * function of the same replay: every entry whose abort marker lies at or above the replay's start is
 * removed and appended again as the replay completes each aborted transaction, so an index entry lost
 * or torn with an unflushed segment, or left by a segment the recovery cut, is rebuilt, and a segment
 * below the recovery point (fsynced with its index) keeps its entries. After a clean shutdown the
 * snapshot is at the log end and nothing is replayed.
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** The loaded state a {@link PartitionLog} starts from. */
    record LoadedLog(ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long logEndOffset,
            long recoveryPoint, long highWatermark, ProducerStateManager producerState,
            LeaderEpochCache epochCache) {
    }

    private LogLoader() {
    }

    static LoadedLog load(Path dir, TopicPartition tp, LogConfig config, LogEnvironment env,
            boolean hadCleanShutdown, CheckpointedOffsets checkpoint) throws IOException {
        long nowMs = env.time().milliseconds();
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        try {
            for (long baseOffset : removeLeftoversAndListSegments(dir)) {
                segments.put(baseOffset, LogSegment.open(dir, baseOffset, config, nowMs, env.rollJitterMs(config)));
            }
            LeaderEpochCache epochCache = LeaderEpochCache.load(dir);
            long recoveredFrom = recover(segments, config, epochCache, hadCleanShutdown ? Long.MAX_VALUE
                    : Math.max(0L, checkpoint.recoveryPoint()));
            if (segments.isEmpty()) {
                long baseOffset = Math.max(0L, checkpoint.logStartOffset());
                segments.put(baseOffset, LogSegment.create(dir, baseOffset, config, nowMs, env.rollJitterMs(config)));
            }
            LogSegment active = segments.lastEntry().getValue();
            active.onBecomeActive();
            long logEndOffset = active.readNextOffset();
            long logStartOffset = Math.min(Math.max(checkpoint.logStartOffset(), segments.firstKey()), logEndOffset);
            epochCache.truncateFromEnd(logEndOffset);
            epochCache.truncateFromStart(logStartOffset);
            ProducerStateManager producerState = new ProducerStateManager(tp, dir);
            long snapshotOffset = producerState.loadLatestSnapshot(Math.min(recoveredFrom, logEndOffset), logEndOffset);
            long replayFrom = Math.max(snapshotOffset, segments.firstKey());
            truncateTxnIndexes(segments, replayFrom);
            replayProducerState(producerState, segments, replayFrom, logEndOffset, true);
            if (replayFrom < logEndOffset) {
                flushTxnIndexes(dir, segments, replayFrom);
            }
            long recoveryPoint = hadCleanShutdown ? logEndOffset
                    : Math.min(Math.max(checkpoint.recoveryPoint(), 0L), logEndOffset);
            long highWatermark = Math.min(Math.max(checkpoint.highWatermark(), logStartOffset), logEndOffset);
            LOG.info("Loaded log partition={} dir={} segments={} logStartOffset={} logEndOffset={} highWatermark={}"
                    + " cleanShutdown={}", tp, dir, segments.size(), logStartOffset, logEndOffset, highWatermark,
                    hadCleanShutdown);
            return new LoadedLog(segments, logStartOffset, logEndOffset, recoveryPoint, highWatermark,
                    producerState, epochCache);
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                try {
                    s.closeHandles();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static List<Long> removeLeftoversAndListSegments(Path dir) throws IOException {
        SwapRecovery.completeInterruptedSwaps(dir);
        TreeSet<Long> logs = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFileNames.DELETED_SUFFIX) || name.endsWith(LogFileNames.TMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(LogFileNames.LOG_SUFFIX) && LogFileNames.offsetOf(name) >= 0) {
                    logs.add(LogFileNames.offsetOf(name));
                } else if (name.endsWith(LogFileNames.INDEX_SUFFIX) || name.endsWith(LogFileNames.TIME_INDEX_SUFFIX)
                        || name.endsWith(LogFileNames.TXN_INDEX_SUFFIX)) {
                    indexes.add(file);
                }
            }
        }
        for (Path index : indexes) {
            if (!logs.contains(LogFileNames.offsetOf(index.getFileName().toString()))) {
                LOG.info("Deleting index file={} that has no log file", index);
                Files.deleteIfExists(index);
            }
        }
        return new ArrayList<>(logs);
    }

    /**
     * Recovers the segments from the one holding {@code recoveryPoint} on, and any other whose indexes
     * need it.
     *
     * @return the base offset of the first segment recovered, or {@code Long.MAX_VALUE} if none was
     */
    private static long recover(ConcurrentSkipListMap<Long, LogSegment> segments, LogConfig config,
            LeaderEpochCache epochCache, long recoveryPoint) throws IOException {
        Long fromKey = segments.floorKey(recoveryPoint);
        long recoverFrom = recoveryPoint == Long.MAX_VALUE ? Long.MAX_VALUE : fromKey == null ? Long.MIN_VALUE : fromKey;
        long firstRecovered = Long.MAX_VALUE;
        List<LogSegment> all = new ArrayList<>(segments.values());
        for (int i = 0; i < all.size(); i++) {
            LogSegment segment = all.get(i);
            if (segment.baseOffset() < recoverFrom && !segment.needsRecovery()) {
                continue;
            }
            firstRecovered = Math.min(firstRecovered, segment.baseOffset());
            List<LeaderEpochCache.Entry> epochs = new ArrayList<>();
            int cutBytes = segment.recover(config.indexIntervalBytes(), batch -> collectEpoch(batch, epochCache, epochs));
            for (LeaderEpochCache.Entry e : epochs) {
                epochCache.assign(e.epoch(), e.startOffset());
            }
            boolean last = i == all.size() - 1;
            if (cutBytes > 0 && !last) {
                for (LogSegment later : all.subList(i + 1, all.size())) {
                    LOG.warn("Deleting segment file={} after the corruption in file={}",
                            later.fileRecords().file(), segment.fileRecords().file());
                    segments.remove(later.baseOffset());
                    later.closeAndDelete();
                }
                last = true;
            }
            if (!last) {
                segment.onBecomeInactive();
            }
            if (last) {
                break;
            }
        }
        return firstRecovered;
    }

    private static void collectEpoch(RecordBatch batch, LeaderEpochCache cache, List<LeaderEpochCache.Entry> out) {
        int latest = out.isEmpty() ? cache.latestEpoch() : out.get(out.size() - 1).epoch();
        if (batch.partitionLeaderEpoch() > latest) {
            out.add(new LeaderEpochCache.Entry(batch.partitionLeaderEpoch(), batch.baseOffset()));
        }
    }

    /**
     * Removes from the transaction indexes every entry whose marker is at or above {@code offset}, before
     * {@link #replayProducerState} appends them again.
     */
    private static void truncateTxnIndexes(NavigableMap<Long, LogSegment> segments, long offset) throws IOException {
        Long firstKey = segments.floorKey(offset);
        for (LogSegment segment : (firstKey == null ? segments : segments.tailMap(firstKey, true)).values()) {
            segment.txnIndex().truncateTo(offset);
        }
    }

    /**
     * Makes the transaction indexes rebuilt from {@code offset} on durable (files and directory entries):
     * a clean start trusts the recovery point at the log end, so nothing else would fsync them.
     */
    private static void flushTxnIndexes(Path dir, NavigableMap<Long, LogSegment> segments, long offset)
            throws IOException {
        Long firstKey = segments.floorKey(offset);
        for (LogSegment segment : (firstKey == null ? segments : segments.tailMap(firstKey, true)).values()) {
            segment.txnIndex().flush();
        }
        StorageFiles.fsyncDirectory(dir);
    }

    /**
     * Rebuilds producer state from the batches in [{@code fromOffset}, {@code logEndOffset}). With
     * {@code rebuildTxnIndexes} each aborted transaction a replayed marker completes is appended to the
     * transaction index of the marker's segment (the caller removed the entries at or above
     * {@code fromOffset} first); without it the indexes are left as they are (a truncation, whose
     * surviving entries are still right).
     */
    static void replayProducerState(ProducerStateManager producerState, NavigableMap<Long, LogSegment> segments,
            long fromOffset, long logEndOffset, boolean rebuildTxnIndexes) throws IOException {
        if (fromOffset < logEndOffset) {
            Long firstKey = segments.floorKey(fromOffset);
            Map<Long, LogSegment> tail = firstKey == null ? segments : segments.tailMap(firstKey, true);
            for (LogSegment segment : tail.values()) {
                int position = segment.offsetIndex().lookupPosition(fromOffset);
                for (FileChannelRecordBatch batch : segment.fileRecords().batchesFrom(position)) {
                    if (batch.baseOffset() >= logEndOffset) {
                        break;
                    }
                    if (batch.lastOffset() >= fromOffset) {
                        CompletedTxn completed = producerState.replay(batch);
                        if (rebuildTxnIndexes && completed != null && completed.aborted()) {
                            segment.txnIndex().append(PartitionLog.abortedTxn(completed));
                        }
                    }
                }
            }
        }
        producerState.setMapEndOffset(logEndOffset);
    }
}
