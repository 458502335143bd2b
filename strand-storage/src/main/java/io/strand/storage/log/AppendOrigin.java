package io.strand.storage.log;

/**
 * Who writes a batch as leader, which decides the producer checks it gets (Kafka's {@code AppendOrigin}).
 */
public enum AppendOrigin {
    /** A producer's Produce request: a producer id needs sequence numbers; they are checked and retries found. */
    CLIENT,
    /**
     * A coordinator writing its own partition on a producer's behalf (the group coordinator's transactional
     * offset commits in {@code __consumer_offsets}): the batch carries the producer id and epoch, and base
     * sequence 0 whatever came before; the epoch and the transaction state are checked, sequences are not,
     * and no batch is taken for a retry.
     */
    COORDINATOR
}
