package io.strand.metadata.record;

import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The state of a registered broker changed (Kafka's BrokerRegistrationChangeRecord): it was fenced,
 * unfenced, or entered controlled shutdown, or some of its log directories went offline. Applies
 * only to the registration whose epoch is {@code brokerEpoch}; the rest of the registration is
 * unchanged.
 *
 * @param logDirs the ids of the broker's log directories still online, replacing the registration's;
 *                empty when they do not change
 */
public record BrokerRegistrationChangeRecord(int brokerId, long brokerEpoch, boolean fenced,
                                             boolean inControlledShutdown, List<Uuid> logDirs)
        implements MetadataRecord {
    public BrokerRegistrationChangeRecord {
        logDirs = List.copyOf(logDirs);
    }

    /** A change of the fencing state only. */
    public BrokerRegistrationChangeRecord(int brokerId, long brokerEpoch, boolean fenced,
                                          boolean inControlledShutdown) {
        this(brokerId, brokerEpoch, fenced, inControlledShutdown, List.of());
    }
}
