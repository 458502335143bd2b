package io.strand.broker.api;

import io.strand.common.DirectoryId;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.FeatureLevelRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/** Builds metadata images by hand for the admin handler tests, through {@link MetadataDelta}. */
public final class TestImages {

    public static final String LISTENER = "PLAINTEXT";
    public static final String CLUSTER_ID = "test-cluster-id-00000";

    private final List<MetadataRecord> records = new ArrayList<>();
    private final Map<String, Uuid> topicIds = new HashMap<>();
    private long nextTopicId = 1;

    public static TestImages builder() {
        return new TestImages().clusterId(CLUSTER_ID);
    }

    public TestImages clusterId(String clusterId) {
        records.add(new ClusterIdRecord(clusterId));
        return this;
    }

    /** A feature finalized at {@code level} (0: no longer finalized). */
    public TestImages feature(String name, short level) {
        records.add(new FeatureLevelRecord(name, level));
        return this;
    }

    /** A broker with an endpoint on {@link #LISTENER} at localhost:(9090 + id). */
    public TestImages broker(int brokerId) {
        return broker(brokerId, LISTENER, null);
    }

    public TestImages broker(int brokerId, String listener, String rack) {
        records.add(new RegisterBrokerRecord(brokerId, new Uuid(7L, brokerId),
                List.of(new Endpoint(listener, "localhost", 9090 + brokerId, "PLAINTEXT")), rack));
        return this;
    }

    /** A broker with an endpoint on {@link #LISTENER}, registered with a session and fenced. */
    public TestImages fencedBroker(int brokerId) {
        records.add(new RegisterBrokerRecord(brokerId, new Uuid(7L, brokerId),
                List.of(new Endpoint(LISTENER, "localhost", 9090 + brokerId, "PLAINTEXT")), null, 1L, true, false));
        return this;
    }

    /** A topic whose partitions all have {@code replicas}, the first leading, all in sync, epoch 0. */
    public TestImages topic(String name, int partitions, Integer... replicas) {
        Uuid id = topicId(name);
        records.add(new TopicRecord(name, id));
        for (int p = 0; p < partitions; p++) {
            records.add(new PartitionRecord(id, p, List.of(replicas), List.of(replicas), replicas[0], 0, 0));
        }
        return this;
    }

    /** A topic with one partition in the given state. */
    public TestImages topicWithPartition(String name, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {
        Uuid id = topicId(name);
        records.add(new TopicRecord(name, id));
        records.add(new PartitionRecord(id, 0, replicas, isr, leader, leaderEpoch, 0));
        return this;
    }

    public TestImages topicConfig(String topic, String name, String value) {
        records.add(new ConfigRecord(ConfigResource.Type.TOPIC, topic, name, value));
        return this;
    }

    /** A group config (the GROUP config resource). */
    public TestImages groupConfig(String group, String name, String value) {
        records.add(new ConfigRecord(ConfigResource.Type.GROUP, group, name, value));
        return this;
    }

    /** A dynamic broker config: {@code brokerId} "" is the cluster-wide default. */
    public TestImages brokerConfig(String brokerId, String name, String value) {
        records.add(new ConfigRecord(ConfigResource.Type.BROKER, brokerId, name, value));
        return this;
    }

    /**
     * Broker {@code brokerId} registered with one online log directory, and partition 0 of
     * {@code topic} (replicas {@code 1, brokerId}, leader 1) placing its replica on that broker in another
     * directory, which is therefore offline (KIP-858).
     */
    public TestImages replicaInOfflineDirectory(String topic, int brokerId) {
        records.add(new RegisterBrokerRecord(brokerId, new Uuid(7L, brokerId), List.of(new Endpoint(LISTENER,
                "localhost", 9090 + brokerId, "PLAINTEXT")), null, 1L, false, false, List.of(new Uuid(9, 101))));
        records.add(new PartitionRecord(topicId(topic), 0, List.of(1, brokerId), List.of(1), 1, 3, 0, List.of(),
                List.of(), List.of(DirectoryId.UNASSIGNED, new Uuid(9, 102))));
        return this;
    }

    public Uuid topicId(String name) {
        return topicIds.computeIfAbsent(name, n -> new Uuid(1L, nextTopicId++));
    }

    public MetadataImage build() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(records.size());
    }
}
