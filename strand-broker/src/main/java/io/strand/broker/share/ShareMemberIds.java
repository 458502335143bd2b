package io.strand.broker.share;

/**
 * What a share group member id in a request must be, as Kafka 4.3's broker checks it before anything else of
 * ShareGroupHeartbeat, ShareFetch and ShareAcknowledge: present, not empty, and at most
 * {@value #MAX_LENGTH} characters (a UUID's string form, which clients draw); any other id is INVALID_REQUEST.
 * Stateless.
 */
public final class ShareMemberIds {

    /** The longest member id a request may carry. */
    public static final int MAX_LENGTH = 36;

    private ShareMemberIds() {
    }

    /** True if {@code memberId} may name a share group member. */
    public static boolean isValid(String memberId) {
        return memberId != null && !memberId.isEmpty() && memberId.length() <= MAX_LENGTH;
    }
}
