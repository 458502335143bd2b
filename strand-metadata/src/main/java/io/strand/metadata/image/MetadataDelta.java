package io.strand.metadata.image;

import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.ClientQuotaRecord;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.FeatureLevelRecord;
import io.strand.metadata.record.RemoveUserScramCredentialRecord;
import io.strand.metadata.record.UserScramCredentialRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.RemoveAccessControlEntryRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.metadata.record.UnregisterBrokerRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Records replayed on top of a base {@link MetadataImage}, turned into a new image by
 * {@link #apply(long)}. After {@code apply} the delta tells listeners what changed: topics
 * created, deleted and changed (by topic id, so a topic deleted and re-created under its name is
 * one deletion plus one creation), config resources and brokers whose state changed.
 *
 * <p>Not thread-safe: one thread replays and applies (the quorum's apply thread); afterwards it is
 * only read. {@link #replay} checks each record against the state so far and throws
 * {@link MetadataReplayException} for one that cannot apply; the caller then drops the delta, so a
 * batch applies all or nothing.
 *
 * <p>A delta made by {@link #replacing(MetadataImage)} starts from nothing instead of its base:
 * after replaying a whole snapshot, whatever the snapshot does not mention is gone, and the
 * change reports still compare against the base.
 */
public final class MetadataDelta {

    private final MetadataImage base;
    private final boolean replacing;

    /** Topics created or changed (value non-null) or deleted (null), by id. */
    private final Map<Uuid, TopicBuilder> topics = new LinkedHashMap<>();
    /** Names whose owner changed: the new owner's id, or null when the name is free. */
    private final Map<String, Uuid> names = new HashMap<>();
    /** The full override map of every touched resource (empty = no overrides). */
    private final Map<ConfigResource, Map<String, String>> configs = new HashMap<>();
    /** Brokers registered or changed (value non-null) or unregistered (null), by id. */
    private final Map<Integer, BrokerRegistration> brokers = new HashMap<>();
    private String clusterId;
    private long nextProducerId;
    /** Feature levels replayed, by name (0 = no longer finalized). */
    private final Map<String, Short> featureLevels = new HashMap<>();
    /** ACLs added (value non-null) or removed (null), by id. */
    private final Map<Uuid, AccessControlEntryRecord> acls = new LinkedHashMap<>();
    /** SCRAM credentials replayed: user → mechanism type → the credential, or null once removed. */
    private final Map<String, Map<Byte, UserScramCredentialRecord>> scram = new HashMap<>();
    /** The full quota map of every entity touched (empty = no quotas left). */
    private final Map<Map<String, String>, Map<String, Double>> clientQuotas = new HashMap<>();

    private MetadataImage result;

    public MetadataDelta(MetadataImage base) {
        this(base, false);
    }

    private MetadataDelta(MetadataImage base, boolean replacing) {
        this.base = Objects.requireNonNull(base, "base");
        this.replacing = replacing;
        this.clusterId = replacing ? null : base.clusterId();
        this.nextProducerId = replacing ? 0L : base.nextProducerId();
    }

    /** A delta whose result holds only what is replayed into it (loading a snapshot over {@code base}). */
    public static MetadataDelta replacing(MetadataImage base) {
        return new MetadataDelta(base, true);
    }

    public MetadataImage base() {
        return base;
    }

    /** True when this delta replaced the whole image (a snapshot was loaded). */
    public boolean isSnapshot() {
        return replacing;
    }

    public void replayAll(Collection<? extends MetadataRecord> records) {
        for (MetadataRecord record : records) {
            replay(record);
        }
    }

    /** @throws MetadataReplayException if the record cannot apply to the state so far */
    public void replay(MetadataRecord record) {
        if (result != null) {
            throw new IllegalStateException("Delta already applied: appliedOffset=" + result.appliedOffset());
        }
        if (record instanceof TopicRecord r) {
            replayTopic(r);
        } else if (record instanceof PartitionRecord r) {
            replayPartition(r);
        } else if (record instanceof RemoveTopicRecord r) {
            replayRemoveTopic(r);
        } else if (record instanceof ConfigRecord r) {
            Map<String, String> overrides = workingConfigs(r.resource());
            if (r.value() == null) {
                overrides.remove(r.name());
            } else {
                overrides.put(r.name(), r.value());
            }
        } else if (record instanceof RegisterBrokerRecord r) {
            brokers.put(r.brokerId(), BrokerRegistration.of(r));
        } else if (record instanceof BrokerRegistrationChangeRecord r) {
            brokers.put(r.brokerId(), broker(r.brokerId(), r.brokerEpoch(), r).with(r));
        } else if (record instanceof UnregisterBrokerRecord r) {
            broker(r.brokerId(), r.brokerEpoch(), r);
            brokers.put(r.brokerId(), null);
        } else if (record instanceof ProducerIdsRecord r) {
            if (r.nextProducerId() < nextProducerId) {
                throw new MetadataReplayException("Producer ids would go backwards: nextProducerId="
                        + r.nextProducerId() + " current=" + nextProducerId + " brokerId=" + r.brokerId());
            }
            nextProducerId = r.nextProducerId();
        } else if (record instanceof ClusterIdRecord r) {
            if (clusterId == null) {
                clusterId = r.clusterId();
            }
        } else if (record instanceof FeatureLevelRecord r) {
            featureLevels.put(r.name(), r.featureLevel());
        } else if (record instanceof AccessControlEntryRecord r) {
            if (acl(r.id()) != null) {
                throw new MetadataReplayException("ACL id already in use: id=" + r.id() + " record=" + r);
            }
            acls.put(r.id(), r);
        } else if (record instanceof RemoveAccessControlEntryRecord r) {
            if (acl(r.id()) == null) {
                throw new MetadataReplayException("Removing an unknown ACL: id=" + r.id());
            }
            acls.put(r.id(), null);
        } else if (record instanceof UserScramCredentialRecord r) {
            scram.computeIfAbsent(r.name(), u -> new HashMap<>()).put(r.mechanism(), r);
        } else if (record instanceof RemoveUserScramCredentialRecord r) {
            scram.computeIfAbsent(r.name(), u -> new HashMap<>()).put(r.mechanism(), null);
        } else if (record instanceof ClientQuotaRecord r) {
            Map<String, Double> quotas = clientQuotas.computeIfAbsent(r.entity(),
                    e -> replacing ? new HashMap<>() : new HashMap<>(base.clientQuotas().quotas(e)));
            if (r.remove()) {
                quotas.remove(r.key());
            } else {
                quotas.put(r.key(), r.value());
            }
        } else {
            throw new IllegalArgumentException("Unknown record: " + record);
        }
    }

    /** The ACL as replayed so far, or null if absent. */
    private AccessControlEntryRecord acl(Uuid id) {
        if (acls.containsKey(id)) {
            return acls.get(id);
        }
        return replacing ? null : base.acls().byId().get(id);
    }

    /** The broker as replayed so far, which must be registered with {@code brokerEpoch}. */
    private BrokerRegistration broker(int brokerId, long brokerEpoch, MetadataRecord record) {
        BrokerRegistration broker = brokers.containsKey(brokerId) ? brokers.get(brokerId)
                : replacing ? null : base.brokers().get(brokerId);
        if (broker == null || broker.brokerEpoch() != brokerEpoch) {
            throw new MetadataReplayException("No registration with this broker epoch: record=" + record
                    + " registration=" + broker);
        }
        return broker;
    }

    private void replayTopic(TopicRecord r) {
        TopicBuilder existing = topic(r.topicId());
        if (existing != null) {
            throw new MetadataReplayException("Topic id already in use: topicId=" + r.topicId() + " name=" + r.name()
                    + " existingName=" + existing.name);
        }
        Uuid owner = nameOwner(r.name());
        if (owner != null) {
            throw new MetadataReplayException("Topic name already in use: name=" + r.name() + " topicId=" + r.topicId()
                    + " existingTopicId=" + owner);
        }
        topics.put(r.topicId(), new TopicBuilder(r.name(), r.topicId(), new HashMap<>()));
        names.put(r.name(), r.topicId());
    }

    private void replayPartition(PartitionRecord r) {
        TopicBuilder topic = topic(r.topicId());
        if (topic == null) {
            throw new MetadataReplayException("Partition of an unknown topic: topicId=" + r.topicId()
                    + " partition=" + r.partitionId());
        }
        if (r.partitionId() < 0) {
            throw new MetadataReplayException("Negative partition index: topicId=" + r.topicId()
                    + " partition=" + r.partitionId());
        }
        topic.partitions.put(r.partitionId(), PartitionRegistration.of(r));
    }

    private void replayRemoveTopic(RemoveTopicRecord r) {
        TopicBuilder topic = topic(r.topicId());
        if (topic == null) {
            throw new MetadataReplayException("Removing an unknown topic: topicId=" + r.topicId());
        }
        topics.put(r.topicId(), null);
        names.put(topic.name, null);
        workingConfigs(new ConfigResource(ConfigResource.Type.TOPIC, topic.name)).clear();
    }

    /** The topic as replayed so far (a mutable copy once touched), or null if absent. */
    private TopicBuilder topic(Uuid topicId) {
        if (topics.containsKey(topicId)) {
            return topics.get(topicId);
        }
        if (replacing) {
            return null;
        }
        TopicImage image = base.topics().byId(topicId).orElse(null);
        if (image == null) {
            return null;
        }
        TopicBuilder copy = new TopicBuilder(image.name(), image.id(), new HashMap<>(image.partitions()));
        topics.put(topicId, copy);
        return copy;
    }

    private Uuid nameOwner(String name) {
        if (names.containsKey(name)) {
            return names.get(name);
        }
        if (replacing) {
            return null;
        }
        return base.topics().byName(name).map(TopicImage::id).orElse(null);
    }

    private Map<String, String> workingConfigs(ConfigResource resource) {
        return configs.computeIfAbsent(resource,
                r -> replacing ? new HashMap<>() : new HashMap<>(base.configs(r)));
    }

    /**
     * The new image, at metadata log index {@code appliedOffset}. Call once; later calls return
     * the same image.
     */
    public MetadataImage apply(long appliedOffset) {
        if (result != null) {
            return result;
        }
        Map<Uuid, TopicImage> newTopics = replacing ? new HashMap<>() : new HashMap<>(base.topics().asMap());
        topics.forEach((id, builder) -> {
            if (builder == null) {
                newTopics.remove(id);
            } else {
                newTopics.put(id, builder.build());
            }
        });
        Map<ConfigResource, Map<String, String>> newConfigs =
                replacing ? new HashMap<>() : new HashMap<>(base.allConfigs());
        configs.forEach((resource, overrides) -> {
            if (overrides.isEmpty()) {
                newConfigs.remove(resource);
            } else {
                newConfigs.put(resource, MetadataImage.frozen(new TreeMap<>(overrides)));
            }
        });
        Map<Integer, BrokerRegistration> newBrokers = new TreeMap<>(replacing ? Map.of() : base.brokers());
        brokers.forEach((id, broker) -> {
            if (broker == null) {
                newBrokers.remove(id);
            } else {
                newBrokers.put(id, broker);
            }
        });
        result = new MetadataImage(appliedOffset, clusterId, new TopicsImage(newTopics),
                MetadataImage.frozen(newConfigs), MetadataImage.frozen(newBrokers), nextProducerId, applyFeatures(),
                applyAcls(), applyClientQuotas()).withScram(applyScram());
        return result;
    }

    private FeaturesImage applyFeatures() {
        if (featureLevels.isEmpty() && !replacing) {
            return base.features();
        }
        Map<String, Short> levels = new HashMap<>(replacing ? Map.of() : base.features().finalizedLevels());
        featureLevels.forEach((name, level) -> {
            if (level == 0) {
                levels.remove(name);
            } else {
                levels.put(name, level);
            }
        });
        return new FeaturesImage(levels);
    }

    private AclsImage applyAcls() {
        if (acls.isEmpty() && !replacing) {
            return base.acls();
        }
        if (acls.isEmpty() && base.acls().isEmpty()) {
            return base.acls();
        }
        Map<Uuid, AccessControlEntryRecord> all = new HashMap<>(replacing ? Map.of() : base.acls().byId());
        acls.forEach((id, acl) -> {
            if (acl == null) {
                all.remove(id);
            } else {
                all.put(id, acl);
            }
        });
        AclsImage next = new AclsImage(all);
        return next.equals(base.acls()) ? base.acls() : next;
    }

    /** Whether the ACLs changed. */
    public boolean aclsChanged() {
        return requireApplied().acls() != base.acls();
    }

    private ScramImage applyScram() {
        if (scram.isEmpty() && !replacing) {
            return base.scram();
        }
        Map<String, Map<Byte, UserScramCredentialRecord>> users = new HashMap<>();
        if (!replacing) {
            base.scram().all().forEach((user, byMechanism) -> users.put(user, new HashMap<>(byMechanism)));
        }
        scram.forEach((user, changes) -> changes.forEach((mechanism, credential) -> {
            Map<Byte, UserScramCredentialRecord> byMechanism = users.computeIfAbsent(user, u -> new HashMap<>());
            if (credential == null) {
                byMechanism.remove(mechanism);
            } else {
                byMechanism.put(mechanism, credential);
            }
        }));
        return new ScramImage(users);
    }

    /** Whether any SCRAM credential was created, replaced or removed. */
    public boolean scramChanged() {
        return !requireApplied().scram().equals(base.scram());
    }

    private ClientQuotasImage applyClientQuotas() {
        if (clientQuotas.isEmpty() && !replacing) {
            return base.clientQuotas();
        }
        Map<Map<String, String>, Map<String, Double>> all =
                new HashMap<>(replacing ? Map.of() : base.clientQuotas().entities());
        clientQuotas.forEach((entity, quotas) -> {
            if (quotas.isEmpty()) {
                all.remove(entity);
            } else {
                all.put(entity, quotas);
            }
        });
        return new ClientQuotasImage(all);
    }

    /** Whether some client quota changed. */
    public boolean clientQuotasChanged() {
        return !requireApplied().clientQuotas().equals(base.clientQuotas());
    }

    /** Whether the finalized features changed. */
    public boolean featuresChanged() {
        return !requireApplied().features().equals(base.features());
    }

    /** Same as {@code apply(base().appliedOffset())}. */
    public MetadataImage apply() {
        return apply(base.appliedOffset());
    }

    /** The image made by {@link #apply}. */
    public MetadataImage image() {
        return requireApplied();
    }

    /** Topics in the new image that were not in the base (by id). */
    public List<TopicImage> createdTopics() {
        MetadataImage image = requireApplied();
        List<TopicImage> created = new ArrayList<>();
        for (Uuid id : touchedTopicIds(image)) {
            TopicImage now = image.topics().byId(id).orElse(null);
            if (now != null && base.topics().byId(id).isEmpty()) {
                created.add(now);
            }
        }
        return created;
    }

    /** Topics of the base that are not in the new image (by id), as they were in the base. */
    public List<TopicImage> deletedTopics() {
        MetadataImage image = requireApplied();
        List<TopicImage> deleted = new ArrayList<>();
        for (Uuid id : touchedTopicIds(image)) {
            TopicImage before = base.topics().byId(id).orElse(null);
            if (before != null && image.topics().byId(id).isEmpty()) {
                deleted.add(before);
            }
        }
        return deleted;
    }

    /** Topics in both images whose partitions differ, as they are in the new image. */
    public List<TopicImage> changedTopics() {
        MetadataImage image = requireApplied();
        List<TopicImage> changed = new ArrayList<>();
        for (Uuid id : touchedTopicIds(image)) {
            TopicImage before = base.topics().byId(id).orElse(null);
            TopicImage now = image.topics().byId(id).orElse(null);
            if (before != null && now != null && !before.equals(now)) {
                changed.add(now);
            }
        }
        return changed;
    }

    /** Resources whose overrides differ between the base and the new image. */
    public Set<ConfigResource> changedConfigs() {
        MetadataImage image = requireApplied();
        Set<ConfigResource> touched = new HashSet<>(configs.keySet());
        if (replacing) {
            touched.addAll(base.allConfigs().keySet());
            touched.addAll(image.allConfigs().keySet());
        }
        touched.removeIf(r -> base.configs(r).equals(image.configs(r)));
        return touched;
    }

    /** Broker ids whose registration is new or different. */
    public Set<Integer> changedBrokers() {
        MetadataImage image = requireApplied();
        Set<Integer> touched = new HashSet<>(brokers.keySet());
        if (replacing) {
            touched.addAll(base.brokers().keySet());
        }
        touched.removeIf(id -> Objects.equals(base.brokers().get(id), image.brokers().get(id)));
        return touched;
    }

    private Collection<Uuid> touchedTopicIds(MetadataImage image) {
        if (!replacing) {
            return topics.keySet();
        }
        Set<Uuid> all = new HashSet<>(base.topics().asMap().keySet());
        all.addAll(image.topics().asMap().keySet());
        return all;
    }

    private MetadataImage requireApplied() {
        if (result == null) {
            throw new IllegalStateException("Delta not applied yet");
        }
        return result;
    }

    /** A topic being changed by this delta. */
    private static final class TopicBuilder {
        final String name;
        final Uuid id;
        final Map<Integer, PartitionRegistration> partitions;

        TopicBuilder(String name, Uuid id, Map<Integer, PartitionRegistration> partitions) {
            this.name = name;
            this.id = id;
            this.partitions = partitions;
        }

        TopicImage build() {
            return new TopicImage(name, id, partitions);
        }
    }
}
