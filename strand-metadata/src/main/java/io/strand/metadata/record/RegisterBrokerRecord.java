package io.strand.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A broker announced itself: its id, the id of this run of the process ({@code incarnationId},
 * new on every start) and where clients reach it. Replaces any earlier registration of the id.
 *
 * @param rack the broker's rack, or {@code null}
 */
public record RegisterBrokerRecord(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack)
        implements MetadataRecord {
    public RegisterBrokerRecord {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }
}
