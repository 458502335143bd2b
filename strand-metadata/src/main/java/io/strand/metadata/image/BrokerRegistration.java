package io.strand.metadata.image;

import io.strand.common.DirectoryId;
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
 * @param logDirs              the ids of its online log directories (KIP-858); empty when the
 *                             registration names none, and then every replica's directory counts as
 *                             online
 */
public record BrokerRegistration(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack,
                                 long brokerEpoch, boolean fenced, boolean inControlledShutdown,
                                 List<Uuid> logDirs) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
        logDirs = List.copyOf(logDirs);
    }

    /** A registration naming no log directory. */
    public BrokerRegistration(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack,
                              long brokerEpoch, boolean fenced, boolean inControlledShutdown) {
        this(brokerId, incarnationId, endpoints, rack, brokerEpoch, fenced, inControlledShutdown, List.of());
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

    /**
     * Whether a replica of this broker placed in {@code directory} is online: true for every directory
     * when the registration names none, and for one not yet known ({@link DirectoryId#UNASSIGNED}) or
     * not tracked ({@link DirectoryId#MIGRATING}); else whether it is one of {@link #logDirs}.
     */
    public boolean hasOnlineDir(Uuid directory) {
        if (logDirs.isEmpty() || directory.equals(DirectoryId.UNASSIGNED) || directory.equals(DirectoryId.MIGRATING)) {
            return true;
        }
        return logDirs.contains(directory);
    }

    /** The registration a record announces. */
    public static BrokerRegistration of(RegisterBrokerRecord record) {
        return new BrokerRegistration(record.brokerId(), record.incarnationId(), record.endpoints(), record.rack(),
                record.brokerEpoch(), record.fenced(), record.inControlledShutdown(), record.logDirs());
    }

    /** This registration with the fencing state and (if it names any) the online directories a change record carries. */
    public BrokerRegistration with(BrokerRegistrationChangeRecord change) {
        return new BrokerRegistration(brokerId, incarnationId, endpoints, rack, brokerEpoch, change.fenced(),
                change.inControlledShutdown(), change.logDirs().isEmpty() ? logDirs : change.logDirs());
    }

    public RegisterBrokerRecord toRecord() {
        return new RegisterBrokerRecord(brokerId, incarnationId, endpoints, rack, brokerEpoch, fenced,
                inControlledShutdown, logDirs);
    }
}
