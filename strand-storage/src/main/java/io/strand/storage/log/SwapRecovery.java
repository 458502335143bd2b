package io.strand.storage.log;

import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or discards a segment replacement the cleaner was doing when the process stopped. Runs
 * first when a log is opened, before its segments are listed. Stateless.
 *
 * <p>The cleaner replaces segments [A, B) by one segment in these steps (see
 * {@link PartitionLog#replaceSegments}): (1) write {@code <A>.log.cleaned}, {@code .index.cleaned},
 * {@code .timeindex.cleaned} (and {@code .txnindex.cleaned}) and fsync them; (2) rename them to
 * {@code .swap}, the log file last, and
 * fsync the directory — the {@code .log.swap} rename is the commit point; (3) rename the replaced
 * segments' files to {@code .deleted}; (4) rename the {@code .swap} files to their final names. So,
 * after a crash:
 * <ul>
 *   <li>{@code *.cleaned} files: the replacement never committed — deleted; the old segments are intact;</li>
 *   <li>{@code .index.swap}/{@code .timeindex.swap}/{@code .txnindex.swap} files: deleted (indexes are
 *       rebuilt);</li>
 *   <li>{@code <A>.log.swap}: committed — every {@code .log} segment whose base offset lies in
 *       [A, max(next offset of the swap file, A + 1)) is deleted with its indexes, and the swap file
 *       becomes {@code <A>.log}; its indexes are rebuilt by the loader, its transaction index by the
 *       loader's producer-state replay from a snapshot at or below A (the segment has no offset index,
 *       so it is recovered).</li>
 * </ul>
 * A replaced segment whose records were all compacted away and that lies past the swap file's last
 * batch is not recognised as replaced and stays: it holds only records superseded by later ones that
 * are still in the log, so no key loses its latest value; the next cleaning removes them again.
 */
final class SwapRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);

    private SwapRecovery() {
    }

    static void completeInterruptedSwaps(Path dir) throws IOException {
        TreeSet<Long> swappedLogs = new TreeSet<>();
        TreeSet<Long> logs = new TreeSet<>();
        List<Path> doomed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFileNames.CLEANED_SUFFIX)) {
                    doomed.add(file);
                } else if (name.endsWith(LogFileNames.LOG_SUFFIX + LogFileNames.SWAP_SUFFIX)) {
                    swappedLogs.add(LogFileNames.offsetOf(name));
                } else if (name.endsWith(LogFileNames.SWAP_SUFFIX)) {
                    doomed.add(file);
                } else if (name.endsWith(LogFileNames.LOG_SUFFIX) && LogFileNames.offsetOf(name) >= 0) {
                    logs.add(LogFileNames.offsetOf(name));
                }
            }
        }
        for (Path file : doomed) {
            LOG.info("Deleting leftover file={} of an unfinished cleaning", file);
            Files.deleteIfExists(file);
        }
        for (long baseOffset : swappedLogs) {
            Path swap = swapFile(dir, baseOffset);
            long endOffset = Math.max(nextOffset(swap, baseOffset), baseOffset + 1);
            TreeSet<Long> replaced = new TreeSet<>(logs.subSet(baseOffset, true, endOffset, false));
            replaced.add(baseOffset);
            for (long offset : replaced) {
                Files.deleteIfExists(LogFileNames.logFile(dir, offset));
                Files.deleteIfExists(LogFileNames.indexFile(dir, offset));
                Files.deleteIfExists(LogFileNames.timeIndexFile(dir, offset));
                Files.deleteIfExists(LogFileNames.txnIndexFile(dir, offset));
                logs.remove(offset);
            }
            move(swap, LogFileNames.logFile(dir, baseOffset));
            logs.add(baseOffset);
            LOG.warn("Completed interrupted segment replacement dir={} baseOffset={} endOffset={}", dir, baseOffset,
                    endOffset);
        }
        if (!doomed.isEmpty() || !swappedLogs.isEmpty()) {
            StorageFiles.fsyncDirectory(dir);
        }
    }

    private static Path swapFile(Path dir, long baseOffset) {
        Path log = LogFileNames.logFile(dir, baseOffset);
        return log.resolveSibling(log.getFileName() + LogFileNames.SWAP_SUFFIX);
    }

    /** The offset after the last intact batch of the file (it was fsynced before its rename, so all are). */
    private static long nextOffset(Path file, long baseOffset) throws IOException {
        long next = baseOffset;
        try (FileRecords records = FileRecords.open(file.toFile(), false)) {
            for (FileChannelRecordBatch batch : records.batches()) {
                next = batch.nextOffset();
            }
        } catch (RuntimeException e) {
            LOG.warn("Swap file={} ends in an unreadable batch after offset={}: {}", file, next, e.toString());
        }
        return next;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
