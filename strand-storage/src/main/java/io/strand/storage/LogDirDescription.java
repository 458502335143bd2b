package io.strand.storage;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One log directory as DescribeLogDirs reports it: its path, whether it is online, the total and
 * usable bytes of the file store holding it, and the size in bytes of every partition stored in it.
 * An offline directory (taken offline after an I/O error) has -1 for both byte counts and no
 * partitions: DescribeLogDirs answers it with KAFKA_STORAGE_ERROR.
 */
public record LogDirDescription(Path path, boolean online, long totalBytes, long usableBytes,
        Map<TopicPartition, Long> partitionSizes) {

    public LogDirDescription {
        partitionSizes = Map.copyOf(partitionSizes);
    }

    /** An online directory. */
    public LogDirDescription(Path path, long totalBytes, long usableBytes, Map<TopicPartition, Long> partitionSizes) {
        this(path, true, totalBytes, usableBytes, partitionSizes);
    }

    /** A directory taken offline. */
    public static LogDirDescription offline(Path path) {
        return new LogDirDescription(path, false, -1L, -1L, Map.of());
    }
}
