package io.strand.coordinator.group;

/**
 * Which topics a group member's principal may DESCRIBE, as the broker's authorizer answers for the
 * member's latest heartbeat (its principal and client address). A regular-expression subscription
 * resolves only over these topics, as Kafka's coordinator filters a regex's matches through the
 * authorizer: a member is never assigned, and never learns the name of, a topic it may not describe.
 *
 * <p>Implementations are thread-safe and read the ACLs at the time of the call, so an ACL change
 * shows in the next resolution.
 */
@FunctionalInterface
public interface TopicAccess {

    /** No authorizer: every topic. */
    TopicAccess ALL = topic -> true;

    /** Whether the member's principal may DESCRIBE {@code topic}. */
    boolean mayDescribe(String topic);
}
