package io.strand.metadata.image;

import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker in a {@link MetadataImage}. Immutable. {@code rack} may be null.
 *
 * <p>Its lifecycle, driven by the controller:
 * <pre>
 *   registered (fenced) --caught up, asks--> unfenced --wants shutdown--> in controlled shutdown
 *          ^                                     |                                |
 *          +------ session timeout / asks -------+--------------------------------+
 * </pre>
 * Only an <i>active</i> broker (unfenced and not in controlled shutdown) may lead a partition or
 * join an ISR. A registration without a session ({@code brokerEpoch} 0, the single node's) is
 * unfenced and never times out.
 *
 * @param brokerEpoch          the session's epoch; 0 when there is none
 * @param fenced               may not lead or join ISRs
 * @param inControlledShutdown moving its leaderships away before it stops
 */
public record BrokerRegistration(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack,
                                 long brokerEpoch, boolean fenced, boolean inControlledShutdown) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }

    /** A registration without a session: epoch 0, unfenced. */
    public BrokerRegistration(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack) {
        this(brokerId, incarnationId, endpoints, rack, 0L, false, false);
    }

    public Optional<Endpoint> endpoint(String listenerName) {
        return endpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst();
    }

    public Optional<String> rackOptional() {
        return Optional.ofNullable(rack);
    }

    /** Unfenced and not in controlled shutdown: may lead partitions and join ISRs. */
    public boolean isActive() {
        return !fenced && !inControlledShutdown;
    }

    /** Whether this registration has a session the controller tracks by heartbeats. */
    public boolean hasSession() {
        return brokerEpoch > 0;
    }

    /** The registration a record announces. */
    public static BrokerRegistration of(RegisterBrokerRecord record) {
        return new BrokerRegistration(record.brokerId(), record.incarnationId(), record.endpoints(), record.rack(),
                record.brokerEpoch(), record.fenced(), record.inControlledShutdown());
    }

    /** This registration with the fencing state a change record carries. */
    public BrokerRegistration with(BrokerRegistrationChangeRecord change) {
        return new BrokerRegistration(brokerId, incarnationId, endpoints, rack, brokerEpoch, change.fenced(),
                change.inControlledShutdown());
    }

    public RegisterBrokerRecord toRecord() {
        return new RegisterBrokerRecord(brokerId, incarnationId, endpoints, rack, brokerEpoch, fenced,
                inControlledShutdown);
    }
}
