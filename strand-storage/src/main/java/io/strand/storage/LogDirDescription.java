package io.strand.storage;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One log directory as DescribeLogDirs reports it: its path, the total and usable bytes of the file
 * store holding it, and the size in bytes of every partition stored in it.
 */
public record LogDirDescription(Path path, long totalBytes, long usableBytes,
        Map<TopicPartition, Long> partitionSizes) {

    public LogDirDescription {
        partitionSizes = Map.copyOf(partitionSizes);
    }
}
