package io.strand.broker.sim;

/** A replication bug the simulation can inject, to show that its invariants catch it. */
enum InjectedBug {
    NONE,
    /** The leader moves its high watermark to its own log end on every append, ignoring the ISR. */
    HW_IGNORES_ISR,
    /** The leader acknowledges an acks=all produce once appended locally, not once the ISR has it. */
    ACK_ON_APPEND,
    /** A follower ignores the leader's diverging epoch: it never cuts its log. */
    FOLLOWER_SKIPS_TRUNCATION
}
