package io.strand.broker.share;

/**
 * The state of one in-flight record of a share-partition (KIP-932).
 *
 * <p>Transitions: AVAILABLE → ACQUIRED (a fetch, delivery count + 1); ACQUIRED → ACKNOWLEDGED (ACCEPT);
 * ACQUIRED → AVAILABLE (RELEASE, lock expiry, the member's session closing) unless the delivery count
 * has reached the limit, then → ARCHIVED; ACQUIRED → ARCHIVED (REJECT, or a GAP the client reports).
 * ACKNOWLEDGED and ARCHIVED are final.
 */
public enum RecordState {
    /** May be acquired by any member. */
    AVAILABLE,
    /** Locked to one member until it acknowledges or its lock expires. */
    ACQUIRED,
    /** Processed: accepted by a member. */
    ACKNOWLEDGED,
    /** Done without processing: rejected, a gap, or out of deliveries. */
    ARCHIVED;

    boolean isFinal() {
        return this == ACKNOWLEDGED || this == ARCHIVED;
    }
}
