package io.strand.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A broker announced itself: its id, the id of this run of the process ({@code incarnationId},
 * new on every start) and where clients reach it. Replaces any earlier registration of the id.
 *
 * <p>A registration made through the broker lifecycle (BrokerRegistration requests) carries the
 * epoch the controller gave this session and starts fenced; one made the single-node way (and every
 * registration written before broker epochs existed) has {@code brokerEpoch} 0 and is unfenced.
 *
 * @param rack                 the broker's rack, or {@code null}
 * @param brokerEpoch          the session's epoch, assigned by the controller, increasing over the
 *                             cluster's life; 0 for a registration without a session
 * @param fenced               whether the broker may not lead or join ISRs
 * @param inControlledShutdown whether the broker is moving its leaderships away before it stops
 * @param logDirs              the ids of the broker's online log directories (KIP-858); empty for a
 *                             registration that names none (the single node's, or one written before
 *                             directory ids existed)
 */
public record RegisterBrokerRecord(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack,
                                   long brokerEpoch, boolean fenced, boolean inControlledShutdown,
                                   List<Uuid> logDirs)
        implements MetadataRecord {
    public RegisterBrokerRecord {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
        logDirs = List.copyOf(logDirs);
    }

    /** A registration that names no log directory. */
    public RegisterBrokerRecord(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack,
                                long brokerEpoch, boolean fenced, boolean inControlledShutdown) {
        this(brokerId, incarnationId, endpoints, rack, brokerEpoch, fenced, inControlledShutdown, List.of());
    }

    /** A registration without a session: epoch 0, unfenced (the single-node registration). */
    public RegisterBrokerRecord(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack) {
        this(brokerId, incarnationId, endpoints, rack, 0L, false, false);
    }
}
