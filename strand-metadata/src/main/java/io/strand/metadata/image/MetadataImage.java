package io.strand.metadata.image;

import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The cluster metadata as of one point of the metadata log: topics and their partitions, config
 * overrides, registered brokers, the producer id counter, the cluster id, the finalized features, the ACLs
 * and the users' SCRAM credentials.
 *
 * <p>Immutable, so request handlers read it from any thread without locks; a change builds a new
 * image through a {@link MetadataDelta}. {@link #appliedOffset()} is the metadata log index of the
 * last entry whose records it contains ({@code -1} for {@link #EMPTY}); after a snapshot load it is
 * the snapshot's index.
 *
 * <p>Nothing here survives a crash by itself: the image is rebuilt from the quorum's snapshot plus
 * log on every start.
 */
public final class MetadataImage {

    /** No topics, no brokers, no configs, no cluster id, producer ids from 0. */
    public static final MetadataImage EMPTY =
            new MetadataImage(-1L, null, TopicsImage.EMPTY, Map.of(), Map.of(), 0L, FeaturesImage.EMPTY,
                    AclsImage.EMPTY, ClientQuotasImage.EMPTY);

    private final long appliedOffset;
    private final String clusterId;
    private final TopicsImage topics;
    private final Map<ConfigResource, Map<String, String>> configs;
    private final Map<Integer, BrokerRegistration> brokers;
    private final long nextProducerId;
    private final FeaturesImage features;
    private final AclsImage acls;
    private final ClientQuotasImage clientQuotas;
    private final ScramImage scram;

    /** The maps must be unmodifiable and not shared with a writer. No SCRAM credentials: see {@link #withScram}. */
    MetadataImage(long appliedOffset, String clusterId, TopicsImage topics,
                  Map<ConfigResource, Map<String, String>> configs, Map<Integer, BrokerRegistration> brokers,
                  long nextProducerId, FeaturesImage features, AclsImage acls, ClientQuotasImage clientQuotas) {
        this(appliedOffset, clusterId, topics, configs, brokers, nextProducerId, features, acls, clientQuotas,
                ScramImage.EMPTY);
    }

    private MetadataImage(long appliedOffset, String clusterId, TopicsImage topics,
                          Map<ConfigResource, Map<String, String>> configs, Map<Integer, BrokerRegistration> brokers,
                          long nextProducerId, FeaturesImage features, AclsImage acls, ClientQuotasImage clientQuotas,
                          ScramImage scram) {
        this.scram = Objects.requireNonNull(scram);
        this.appliedOffset = appliedOffset;
        this.clusterId = clusterId;
        this.topics = Objects.requireNonNull(topics);
        this.configs = configs;
        this.brokers = brokers;
        this.nextProducerId = nextProducerId;
        this.features = Objects.requireNonNull(features);
        this.acls = Objects.requireNonNull(acls);
        this.clientQuotas = Objects.requireNonNull(clientQuotas);
    }

    public long appliedOffset() {
        return appliedOffset;
    }

    /** The cluster id, or {@code null} before the quorum's first leader has written it. */
    public String clusterId() {
        return clusterId;
    }

    public TopicsImage topics() {
        return topics;
    }

    /** The stored overrides of one resource (not the effective config); empty when none. */
    public Map<String, String> configs(ConfigResource resource) {
        return configs.getOrDefault(resource, Map.of());
    }

    /** Every resource with at least one override, with its overrides. */
    public Map<ConfigResource, Map<String, String>> allConfigs() {
        return configs;
    }

    /** Registered brokers by id, in id order. */
    public Map<Integer, BrokerRegistration> brokers() {
        return brokers;
    }

    /** The first producer id not yet handed out. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** The features finalized for the cluster. */
    public FeaturesImage features() {
        return features;
    }

    /** The ACLs of the cluster. */
    public AclsImage acls() {
        return acls;
    }

    /** The client quotas (AlterClientQuotas). */
    public ClientQuotasImage clientQuotas() {
        return clientQuotas;
    }

    /** The users' SCRAM credentials. */
    public ScramImage scram() {
        return scram;
    }

    /** The same content with {@code scram} as its SCRAM credentials. */
    MetadataImage withScram(ScramImage scram) {
        return new MetadataImage(appliedOffset, clusterId, topics, configs, brokers, nextProducerId, features, acls,
                clientQuotas, scram);
    }

    /**
     * The epoch of the finalized features in ApiVersions: this image's offset, as Kafka's broker
     * answers (it grows with every change of the metadata, so with every feature change too); -1 for
     * {@link #EMPTY}.
     */
    public long finalizedFeaturesEpoch() {
        return appliedOffset;
    }

    /** The same content at another offset. */
    MetadataImage withAppliedOffset(long offset) {
        return new MetadataImage(offset, clusterId, topics, configs, brokers, nextProducerId, features, acls,
                clientQuotas, scram);
    }

    /**
     * Records that rebuild this image when replayed on {@link #EMPTY}, in a fixed order: cluster
     * id, finalized features, brokers, then per topic its TopicRecord, config overrides and partitions, then the
     * remaining (broker) configs, then the producer id counter, then the ACLs, then the client quotas, then
     * the SCRAM credentials. This is the content of a snapshot.
     */
    public List<MetadataRecord> toRecords() {
        List<MetadataRecord> records = new ArrayList<>();
        if (clusterId != null) {
            records.add(new ClusterIdRecord(clusterId));
        }
        records.addAll(features.toRecords());
        for (BrokerRegistration broker : brokers.values()) {
            records.add(broker.toRecord());
        }
        List<TopicImage> sorted = new ArrayList<>(topics.all());
        sorted.sort(Comparator.comparing(TopicImage::name));
        for (TopicImage topic : sorted) {
            records.add(new TopicRecord(topic.name(), topic.id()));
            addConfigRecords(records, new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            topic.partitions().forEach((partitionId, p) -> records.add(p.toRecord(topic.id(), partitionId)));
        }
        for (ConfigResource resource : configs.keySet()) {
            if (resource.type() != ConfigResource.Type.TOPIC) {
                addConfigRecords(records, resource);
            }
        }
        if (nextProducerId > 0) {
            records.add(new ProducerIdsRecord(-1, nextProducerId));
        }
        records.addAll(acls.toRecords());
        records.addAll(clientQuotas.toRecords());
        records.addAll(scram.toRecords());
        return records;
    }

    private void addConfigRecords(List<MetadataRecord> records, ConfigResource resource) {
        new TreeMap<>(configs(resource)).forEach((name, value) ->
                records.add(new ConfigRecord(resource.type(), resource.name(), name, value)));
    }

    static <K, V> Map<K, V> frozen(Map<K, V> map) {
        return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(map);
    }

    /** Equal content; {@link #appliedOffset()} is compared too. */
    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage other
                && appliedOffset == other.appliedOffset
                && nextProducerId == other.nextProducerId
                && Objects.equals(clusterId, other.clusterId)
                && topics.equals(other.topics)
                && configs.equals(other.configs)
                && brokers.equals(other.brokers)
                && features.equals(other.features)
                && acls.equals(other.acls) && clientQuotas.equals(other.clientQuotas) && scram.equals(other.scram);
    }

    @Override
    public int hashCode() {
        return Objects.hash(appliedOffset, clusterId, topics, configs, brokers, nextProducerId, features, acls,
                clientQuotas, scram);
    }

    @Override
    public String toString() {
        return "MetadataImage(appliedOffset=" + appliedOffset + ", clusterId=" + clusterId + ", topics="
                + topics.size() + ", brokers=" + brokers.keySet() + ", configResources=" + configs.keySet()
                + ", nextProducerId=" + nextProducerId + ", features=" + features.finalizedLevels() + ", acls=" + acls.byId().size()
                + ", scramUsers=" + scram.all().size() + ")";
    }
}
