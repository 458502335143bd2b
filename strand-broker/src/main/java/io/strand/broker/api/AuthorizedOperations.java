package io.strand.broker.api;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * Authorized-operation bit fields (a bit per {@link AclOperation} code) for responses that carry
 * them, as a Kafka broker without an authorizer reports them: every operation Kafka supports on the
 * resource type. With an authorizer configured, the checks of {@code io.strand.broker.auth} replace
 * them with the caller's own.
 */
public final class AuthorizedOperations {

    /** Every operation Kafka supports on the cluster resource. */
    public static final int CLUSTER = bits(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE);

    /** Every operation Kafka supports on a topic. */
    public static final int TOPIC = bits(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    /** The value a response field holds when authorized operations were not asked for. */
    public static final int NOT_REQUESTED = Integer.MIN_VALUE;

    private AuthorizedOperations() {
    }

    private static int bits(AclOperation... operations) {
        Set<Byte> codes = new HashSet<>();
        for (AclOperation operation : operations) {
            codes.add(operation.code());
        }
        return Utils.to32BitField(codes);
    }
}
