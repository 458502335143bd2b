package io.strand.storage;

import io.strand.storage.log.LogConfig;
import io.strand.storage.log.ReplicaLog;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * Where the replica manager gets the logs of the partitions it hosts. A broker's store is its
 * {@link LogManager} (the contracts, threads and crash behaviour are documented there); the interface
 * exists so that a test of the replication protocol can run the same replica manager over logs kept
 * in memory.
 */
public interface ReplicaLogStore {

    /** See {@link LogManager#partitionsOnDisk}. */
    Set<TopicPartition> partitionsOnDisk();

    /** See {@link LogManager#openExistingLogs}. */
    int openExistingLogs(Collection<LogManager.LogSpec> specs);

    /**
     * See {@link LogManager#getOrCreateLog}.
     *
     * @throws org.apache.kafka.common.errors.InconsistentTopicIdException if the stored log belongs to another topic id
     */
    ReplicaLog getOrCreateLog(TopicPartition tp, Uuid topicId, LogConfig config);

    /** See {@link LogManager#renameStrayLog}. */
    Optional<Path> renameStrayLog(TopicPartition tp);

    /** See {@link LogManager#deleteLog}. */
    void deleteLog(TopicPartition tp);

    /** See {@link LogManager#directoryIdOf}; a store without directory ids has none. */
    default Optional<Uuid> directoryIdOf(TopicPartition tp) {
        return Optional.empty();
    }
}
