package io.strand.metadata.image;

import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/** A registered broker in a {@link MetadataImage}. Immutable. {@code rack} may be null. */
public record BrokerRegistration(int brokerId, Uuid incarnationId, List<Endpoint> endpoints, String rack) {

    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
    }

    public Optional<Endpoint> endpoint(String listenerName) {
        return endpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst();
    }

    public Optional<String> rackOptional() {
        return Optional.ofNullable(rack);
    }

    /** The registration a record announces. */
    public static BrokerRegistration of(RegisterBrokerRecord record) {
        return new BrokerRegistration(record.brokerId(), record.incarnationId(), record.endpoints(), record.rack());
    }

    public RegisterBrokerRecord toRecord() {
        return new RegisterBrokerRecord(brokerId, incarnationId, endpoints, rack);
    }
}
