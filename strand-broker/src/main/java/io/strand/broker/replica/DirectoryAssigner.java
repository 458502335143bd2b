package io.strand.broker.replica;

import org.apache.kafka.common.Uuid;

/**
 * Where the replica manager reports that it placed a replica's log in a log directory the metadata
 * does not name for it yet (KIP-858); the broker's {@code DirectoryAssignments} sends these to the
 * controller as AssignReplicasToDirs. Called on the metadata publisher thread; must not block.
 */
@FunctionalInterface
public interface DirectoryAssigner {

    /** Reports nothing: a broker with one log directory, or a test. */
    DirectoryAssigner NONE = (topicId, partition, directoryId) -> { };

    void assign(Uuid topicId, int partition, Uuid directoryId);
}
