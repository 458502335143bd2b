package io.strand.storage.cleaner;

import io.strand.storage.checkpoint.CheckpointFile;
import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cleaner-offset-checkpoint} file of each log dir: for every compacted partition in it, the
 * offset where its clean section ends (the first dirty offset). {@link CheckpointFile} format, one
 * "topic partition offset" line per partition, replaced atomically.
 *
 * <p>A dir's file is read on first use and rewritten whole on each change. Losing or corrupting it
 * only makes the next cleaning treat those logs as dirty from their start.
 *
 * <p><b>Threads.</b> Thread-safe: the cleaner thread updates entries, the log manager removes those of
 * deleted partitions; writes of one dir's file are serialized on its map.
 */
final class CleanerCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(CleanerCheckpoints.class);

    private final Map<Path, Map<TopicPartition, Long>> byLogDir = new ConcurrentHashMap<>();

    /** The checkpointed first dirty offset of {@code tp} in {@code logDir}, or -1. */
    long get(Path logDir, TopicPartition tp) {
        return of(logDir).getOrDefault(tp, -1L);
    }

    void put(Path logDir, TopicPartition tp, long firstDirtyOffset) {
        Map<TopicPartition, Long> offsets = of(logDir);
        synchronized (offsets) {
            offsets.put(tp, firstDirtyOffset);
            write(logDir, offsets);
        }
    }

    void remove(Path logDir, TopicPartition tp) {
        Map<TopicPartition, Long> offsets = of(logDir);
        synchronized (offsets) {
            if (offsets.remove(tp) != null) {
                write(logDir, offsets);
            }
        }
    }

    private Map<TopicPartition, Long> of(Path logDir) {
        return byLogDir.computeIfAbsent(logDir, CleanerCheckpoints::read);
    }

    private static Map<TopicPartition, Long> read(Path logDir) {
        Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
        Path file = logDir.resolve(LogFileNames.CLEANER_CHECKPOINT);
        try {
            for (String[] f : CheckpointFile.read(file, 3).orElse(List.of())) {
                offsets.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
            }
        } catch (IOException | CorruptFileException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable cleaner checkpoint file={}: {}", file, e.toString());
            offsets.clear();
        }
        return offsets;
    }

    private static void write(Path logDir, Map<TopicPartition, Long> offsets) {
        List<String> lines = new ArrayList<>();
        offsets.forEach((tp, offset) -> lines.add(tp.topic() + " " + tp.partition() + " " + offset));
        try {
            CheckpointFile.write(logDir.resolve(LogFileNames.CLEANER_CHECKPOINT), lines);
        } catch (IOException e) {
            LOG.error("Cannot write cleaner checkpoint of log dir={}", logDir, e);
        }
    }
}
