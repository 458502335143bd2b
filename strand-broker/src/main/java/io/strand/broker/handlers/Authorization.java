package io.strand.broker.handlers;

import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * Authorized-operation bit sets reported when a client asks for them. Strand has no authorizer yet,
 * so every client may do every operation on every resource; these constants say so in Kafka's
 * encoding (a bit per {@link AclOperation} code).
 */
final class Authorization {

    static final int ALL_TOPIC_OPERATIONS = bits(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);

    static final int ALL_CLUSTER_OPERATIONS = bits(AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE);

    private Authorization() {
    }

    private static int bits(AclOperation... operations) {
        Set<Byte> codes = new java.util.HashSet<>();
        for (AclOperation op : operations) {
            codes.add(op.code());
        }
        return Utils.to32BitField(codes);
    }
}
