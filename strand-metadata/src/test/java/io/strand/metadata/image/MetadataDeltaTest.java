package io.strand.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.ClientQuotaRecord;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.FeatureLevelRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.metadata.record.UnregisterBrokerRecord;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

public class MetadataDeltaTest {

    private static final Uuid ID_A = new Uuid(10, 1);
    private static final Uuid ID_B = new Uuid(10, 2);
    private static final ConfigResource TOPIC_A = new ConfigResource(ConfigResource.Type.TOPIC, "a");

    public static MetadataImage apply(MetadataImage base, long offset, MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(base);
        delta.replayAll(List.of(records));
        return delta.apply(offset);
    }

    public static PartitionRecord partition(Uuid topicId, int partitionId, Integer... replicas) {
        return new PartitionRecord(topicId, partitionId, List.of(replicas), List.of(replicas), replicas[0], 0, 0);
    }

    @Test
    void createsTopicWithPartitionsAndConfigs() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(List.of(new TopicRecord("a", ID_A),
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", "1000"),
                partition(ID_A, 0, 1), partition(ID_A, 1, 1)));
        MetadataImage image = delta.apply(7);

        assertThat(image.appliedOffset()).isEqualTo(7);
        TopicImage topic = image.topics().byName("a").orElseThrow();
        assertThat(topic.id()).isEqualTo(ID_A);
        assertThat(image.topics().byId(ID_A)).contains(topic);
        assertThat(topic.partitions()).containsOnlyKeys(0, 1);
        assertThat(topic.partition(1).orElseThrow().leader()).isEqualTo(1);
        assertThat(image.configs(TOPIC_A)).isEqualTo(Map.of("retention.ms", "1000"));
        assertThat(delta.createdTopics()).containsExactly(topic);
        assertThat(delta.deletedTopics()).isEmpty();
        assertThat(delta.changedTopics()).isEmpty();
        assertThat(delta.changedConfigs()).containsExactly(TOPIC_A);
        assertThat(MetadataImage.EMPTY.topics().all()).isEmpty();
    }

    @Test
    void addingPartitionsReportsAChangedTopic() {
        MetadataImage before = apply(MetadataImage.EMPTY, 1, new TopicRecord("a", ID_A), partition(ID_A, 0, 1));
        MetadataDelta delta = new MetadataDelta(before);
        delta.replay(partition(ID_A, 1, 1));
        MetadataImage after = delta.apply(2);

        assertThat(after.topics().byName("a").orElseThrow().numPartitions()).isEqualTo(2);
        assertThat(before.topics().byName("a").orElseThrow().numPartitions()).isEqualTo(1);
        assertThat(delta.changedTopics()).extracting(TopicImage::name).containsExactly("a");
        assertThat(delta.createdTopics()).isEmpty();
    }

    @Test
    void deletingATopicRemovesItsConfigs() {
        MetadataImage before = apply(MetadataImage.EMPTY, 1, new TopicRecord("a", ID_A),
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "cleanup.policy", "compact"), partition(ID_A, 0, 1));
        MetadataDelta delta = new MetadataDelta(before);
        delta.replay(new RemoveTopicRecord(ID_A));
        MetadataImage after = delta.apply(2);

        assertThat(after.topics().byName("a")).isEmpty();
        assertThat(after.topics().byId(ID_A)).isEmpty();
        assertThat(after.configs(TOPIC_A)).isEmpty();
        assertThat(delta.deletedTopics()).extracting(TopicImage::id).containsExactly(ID_A);
        assertThat(delta.changedConfigs()).containsExactly(TOPIC_A);
    }

    @Test
    void recreatingANameIsOneDeletionAndOneCreation() {
        MetadataImage before = apply(MetadataImage.EMPTY, 1, new TopicRecord("a", ID_A), partition(ID_A, 0, 1));
        MetadataDelta delta = new MetadataDelta(before);
        delta.replayAll(List.of(new RemoveTopicRecord(ID_A), new TopicRecord("a", ID_B), partition(ID_B, 0, 1)));
        MetadataImage after = delta.apply(2);

        assertThat(after.topics().byName("a").orElseThrow().id()).isEqualTo(ID_B);
        assertThat(delta.deletedTopics()).extracting(TopicImage::id).containsExactly(ID_A);
        assertThat(delta.createdTopics()).extracting(TopicImage::id).containsExactly(ID_B);
    }

    @Test
    void configRecordWithNullValueRemovesTheOverride() {
        ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
        MetadataImage before = apply(MetadataImage.EMPTY, 1,
                new ConfigRecord(ConfigResource.Type.BROKER, "", "log.retention.ms", "5"),
                new ConfigRecord(ConfigResource.Type.BROKER, "", "message.max.bytes", "7"));
        MetadataImage after = apply(before, 2, new ConfigRecord(ConfigResource.Type.BROKER, "", "log.retention.ms", null));

        assertThat(before.configs(cluster)).hasSize(2);
        assertThat(after.configs(cluster)).isEqualTo(Map.of("message.max.bytes", "7"));
    }

    @Test
    void brokersProducerIdsAndClusterId() {
        RegisterBrokerRecord broker = new RegisterBrokerRecord(1, new Uuid(5, 5),
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092, "PLAINTEXT")), null);
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(List.of(broker, new ProducerIdsRecord(1, 1000), new ClusterIdRecord("first"),
                new ClusterIdRecord("second")));
        MetadataImage image = delta.apply(3);

        assertThat(image.brokers()).containsOnlyKeys(1);
        assertThat(image.brokers().get(1).endpoint("PLAINTEXT").orElseThrow().port()).isEqualTo(9092);
        assertThat(image.nextProducerId()).isEqualTo(1000);
        assertThat(image.clusterId()).isEqualTo("first");
        assertThat(delta.changedBrokers()).containsExactly(1);
    }

    @Test
    void brokerChangesApplyToTheirEpochOnlyAndSurviveASnapshot() {
        RegisterBrokerRecord registered = new RegisterBrokerRecord(1, new Uuid(5, 5), List.of(), "r", 7L, true, false);
        MetadataImage fenced = apply(MetadataImage.EMPTY, 1, registered);
        MetadataImage unfenced = apply(fenced, 2, new BrokerRegistrationChangeRecord(1, 7L, false, false));

        assertThat(unfenced.brokers().get(1).fenced()).isFalse();
        assertThat(unfenced.brokers().get(1).brokerEpoch()).isEqualTo(7L);
        assertThat(unfenced.brokers().get(1).rack()).isEqualTo("r");
        assertThatThrownBy(() -> apply(unfenced, 3, new BrokerRegistrationChangeRecord(1, 6L, true, false)))
                .isInstanceOf(MetadataReplayException.class);

        MetadataDelta snapshot = MetadataDelta.replacing(MetadataImage.EMPTY);
        snapshot.replayAll(unfenced.toRecords());
        assertThat(snapshot.apply(2)).isEqualTo(unfenced);

        MetadataDelta unregister = new MetadataDelta(unfenced);
        unregister.replay(new UnregisterBrokerRecord(1, 7L));
        assertThat(unregister.apply(3).brokers()).isEmpty();
        assertThat(unregister.changedBrokers()).containsExactly(1);
    }

    @Test
    void refusesRecordsThatCannotApply() {
        MetadataImage base = apply(MetadataImage.EMPTY, 1, new TopicRecord("a", ID_A), new ProducerIdsRecord(1, 50));

        assertThatThrownBy(() -> new MetadataDelta(base).replay(partition(ID_B, 0, 1)))
                .isInstanceOf(MetadataReplayException.class).hasMessageContaining("topicId=" + ID_B);
        assertThatThrownBy(() -> new MetadataDelta(base).replay(new TopicRecord("a", ID_B)))
                .isInstanceOf(MetadataReplayException.class).hasMessageContaining("name=a");
        assertThatThrownBy(() -> new MetadataDelta(base).replay(new TopicRecord("b", ID_A)))
                .isInstanceOf(MetadataReplayException.class).hasMessageContaining("already in use");
        assertThatThrownBy(() -> new MetadataDelta(base).replay(new RemoveTopicRecord(ID_B)))
                .isInstanceOf(MetadataReplayException.class);
        assertThatThrownBy(() -> new MetadataDelta(base).replay(new ProducerIdsRecord(1, 49)))
                .isInstanceOf(MetadataReplayException.class).hasMessageContaining("backwards");
    }

    @Test
    void imageRebuildsFromItsOwnRecords() {
        MetadataImage image = apply(MetadataImage.EMPTY, 9,
                new ClusterIdRecord("c1"),
                new RegisterBrokerRecord(1, new Uuid(5, 5), List.of(), "rack1"),
                new TopicRecord("a", ID_A), partition(ID_A, 0, 1), partition(ID_A, 1, 1),
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", "1"),
                new TopicRecord("b", ID_B), partition(ID_B, 0, 1),
                new ConfigRecord(ConfigResource.Type.BROKER, "1", "log.cleaner.threads", "2"),
                new ProducerIdsRecord(1, 2000));

        MetadataDelta rebuild = new MetadataDelta(MetadataImage.EMPTY);
        rebuild.replayAll(image.toRecords());
        assertThat(rebuild.apply(9)).isEqualTo(image);
    }

    @Test
    void replacingDeltaDropsWhatTheSnapshotDoesNotMention() {
        MetadataImage current = apply(MetadataImage.EMPTY, 5, new TopicRecord("a", ID_A), partition(ID_A, 0, 1),
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", "1"));
        MetadataDelta delta = MetadataDelta.replacing(current);
        delta.replayAll(List.of(new ClusterIdRecord("c"), new TopicRecord("b", ID_B), partition(ID_B, 0, 1)));
        MetadataImage loaded = delta.apply(20);

        assertThat(loaded.topics().all()).extracting(TopicImage::name).containsExactly("b");
        assertThat(loaded.configs(TOPIC_A)).isEmpty();
        assertThat(delta.isSnapshot()).isTrue();
        assertThat(delta.deletedTopics()).extracting(TopicImage::name).containsExactly("a");
        assertThat(delta.createdTopics()).extracting(TopicImage::name).containsExactly("b");
        assertThat(delta.changedConfigs()).containsExactly(TOPIC_A);
    }

    @Test
    void deltaIsAppliedOnce() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new TopicRecord("a", ID_A));
        MetadataImage image = delta.apply(1);
        assertThat(delta.apply(1)).isSameAs(image);
        assertThatThrownBy(() -> delta.replay(new TopicRecord("b", ID_B))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(MetadataImage.EMPTY).createdTopics())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void featureLevelsAreFinalizedReplacedAndRemovedAtLevelZero() {
        MetadataImage bootstrapped = apply(MetadataImage.EMPTY, 1, new ClusterIdRecord("c"),
                new FeatureLevelRecord("metadata.version", (short) 30),
                new FeatureLevelRecord("transaction.version", (short) 1));
        MetadataDelta delta = new MetadataDelta(bootstrapped);
        delta.replayAll(List.of(new FeatureLevelRecord("transaction.version", (short) 2),
                new FeatureLevelRecord("metadata.version", (short) 0)));
        MetadataImage after = delta.apply(5);

        assertThat(bootstrapped.features().finalizedLevels()).containsExactly(
                Map.entry("metadata.version", (short) 30), Map.entry("transaction.version", (short) 1));
        assertThat(after.features().finalizedLevels()).containsExactly(Map.entry("transaction.version", (short) 2));
        assertThat(after.features().level("metadata.version")).isZero();
        assertThat(after.finalizedFeaturesEpoch()).isEqualTo(5);
        assertThat(delta.featuresChanged()).isTrue();
    }

    @Test
    void clientQuotasAreSetReplacedAndRemovedWithTheirEntityGoneWhenEmpty() {
        Map<String, String> defaultUser = new java.util.HashMap<>();
        defaultUser.put("user", null);
        Map<String, String> client = Map.of("client-id", "c");
        MetadataImage set = apply(MetadataImage.EMPTY, 1, ClientQuotaRecord.set(defaultUser, "producer_byte_rate", 10),
                ClientQuotaRecord.set(client, "producer_byte_rate", 20), ClientQuotaRecord.set(client, "consumer_byte_rate", 30));
        MetadataDelta delta = new MetadataDelta(set);
        delta.replayAll(List.of(ClientQuotaRecord.removal(defaultUser, "producer_byte_rate"),
                ClientQuotaRecord.set(client, "producer_byte_rate", 25)));
        MetadataImage after = delta.apply(2);

        assertThat(set.clientQuotas().quotas(defaultUser)).containsExactly(Map.entry("producer_byte_rate", 10.0));
        assertThat(after.clientQuotas().entities()).containsOnlyKeys(client);
        assertThat(after.clientQuotas().quotas(client)).containsExactly(Map.entry("consumer_byte_rate", 30.0),
                Map.entry("producer_byte_rate", 25.0));
        assertThat(delta.clientQuotasChanged()).isTrue();
    }

    @Test
    void snapshotRecordsKeepTheClientQuotas() {
        Map<String, String> userAndDefaultClient = new java.util.HashMap<>();
        userAndDefaultClient.put("user", "alice");
        userAndDefaultClient.put("client-id", null);
        MetadataImage image = apply(MetadataImage.EMPTY, 3, new ClusterIdRecord("c"),
                ClientQuotaRecord.set(userAndDefaultClient, "request_percentage", 12.5));
        MetadataDelta reload = MetadataDelta.replacing(MetadataImage.EMPTY);
        reload.replayAll(image.toRecords());

        assertThat(reload.apply(3)).isEqualTo(image);
        assertThat(image.toRecords()).contains(ClientQuotaRecord.set(userAndDefaultClient, "request_percentage", 12.5));
    }

    @Test
    void snapshotRecordsKeepTheFinalizedFeatures() {
        MetadataImage image = apply(MetadataImage.EMPTY, 3, new ClusterIdRecord("c"),
                new FeatureLevelRecord("group.version", (short) 1), new TopicRecord("a", ID_A));
        MetadataDelta reload = MetadataDelta.replacing(MetadataImage.EMPTY);
        reload.replayAll(image.toRecords());

        assertThat(reload.apply(3)).isEqualTo(image);
        MetadataDelta unrelated = new MetadataDelta(image);
        unrelated.replay(new TopicRecord("b", ID_B));
        assertThat(unrelated.apply(4).features()).isSameAs(image.features());
        assertThat(unrelated.featuresChanged()).isFalse();
    }
}
