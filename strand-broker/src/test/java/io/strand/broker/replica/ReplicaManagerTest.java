package io.strand.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.log.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaManagerTest {

    private static final int BROKER_ID = 1;
    private static final Uuid KEPT_ID = new Uuid(1, 1);
    private static final Uuid UNKNOWN_ID = new Uuid(2, 2);
    private static final TopicPartition KEPT = new TopicPartition("kept", 0);
    private static final TopicPartition UNKNOWN = new TopicPartition("unknown", 0);

    @TempDir
    Path dir;

    private LogManager logManager;

    @AfterEach
    void close() {
        if (logManager != null) {
            logManager.close();
        }
    }

    private LogManager startLogManager() {
        if (logManager != null) {
            logManager.close();
        }
        logManager = new LogManager(new LogManagerConfig(List.of(dir), 300_000L, 60_000L, 60_000L, 60_000), Time.SYSTEM);
        logManager.startup();
        return logManager;
    }

    private static MetadataImage image(long offset, MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        for (MetadataRecord record : records) {
            delta.replay(record);
        }
        return delta.apply(offset);
    }

    private static MetadataDelta after(MetadataImage base, long offset, MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(base);
        for (MetadataRecord record : records) {
            delta.replay(record);
        }
        delta.apply(offset);
        return delta;
    }

    private static Map<String, byte[]> contents(Path partitionDir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(partitionDir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private List<String> dirNames() throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void startSetsAsideTheLogOfAPartitionTheImageLacksAndDeletesTheLogOfARemovedTopic() throws Exception {
        LogManager first = startLogManager();
        first.getOrCreateLog(KEPT, KEPT_ID, LogConfig.defaults());
        first.getOrCreateLog(UNKNOWN, UNKNOWN_ID, LogConfig.defaults()).appendAsLeader(
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes())), 0);
        startLogManager();
        Map<String, byte[]> unknownFiles = contents(dir.resolve("unknown-0"));

        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        MetadataImage image = image(10, new TopicRecord("kept", KEPT_ID),
                new PartitionRecord(KEPT_ID, 0, List.of(BROKER_ID), List.of(BROKER_ID), BROKER_ID, 0, 0));
        replicas.start(image);

        assertThat(replicas.partitions()).containsOnlyKeys(KEPT);
        List<String> strays = dirNames().stream().filter(name -> name.endsWith("-stray")).toList();
        assertThat(strays).singleElement().satisfies(name ->
                assertThat(name).matches("unknown-0\\.[0-9a-f]{32}-stray"));
        assertThat(dir.resolve("unknown-0")).doesNotExist();
        Path stray = dir.resolve(strays.get(0));
        assertThat(contents(stray)).containsOnlyKeys(unknownFiles.keySet()).allSatisfy((name, bytes) ->
                assertThat(bytes).as(name).isEqualTo(unknownFiles.get(name)));

        // A topic the metadata deletes is still deleted, not set aside.
        MetadataDelta removal = after(image, 11, new RemoveTopicRecord(KEPT_ID));
        replicas.onMetadataUpdate(removal, removal.image());
        assertThat(replicas.partitions()).isEmpty();
        assertThat(dir.resolve("kept-0")).doesNotExist();

        // The stray stays as it is and is no partition at the next start.
        startLogManager();
        assertThat(logManager.partitionsOnDisk()).isEmpty();
        assertThat(dirNames()).filteredOn(name -> name.startsWith("kept-0")).isEmpty();
        assertThat(contents(stray)).containsOnlyKeys(unknownFiles.keySet());
    }

    @Test
    void startSetsAsideALogOfTheSameNameButAnotherTopicIdAndStartsThePartitionEmpty() throws Exception {
        Uuid recreatedId = new Uuid(3, 3);
        startLogManager().getOrCreateLog(KEPT, KEPT_ID, LogConfig.defaults()).appendAsLeader(
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes())), 0);
        startLogManager();
        Map<String, byte[]> oldFiles = contents(dir.resolve("kept-0"));

        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        replicas.start(image(10, new TopicRecord("kept", recreatedId),
                new PartitionRecord(recreatedId, 0, List.of(BROKER_ID), List.of(BROKER_ID), BROKER_ID, 0, 0)));

        assertThat(replicas.partitions()).containsOnlyKeys(KEPT);
        assertThat(replicas.partitions().get(KEPT).topicId()).isEqualTo(recreatedId);
        assertThat(replicas.partitions().get(KEPT).log().logEndOffset()).isZero();
        List<String> strays = dirNames().stream().filter(name -> name.endsWith("-stray")).toList();
        assertThat(strays).singleElement().satisfies(name -> assertThat(name).matches("kept-0\\.[0-9a-f]{32}-stray"));
        assertThat(contents(dir.resolve(strays.get(0)))).containsOnlyKeys(oldFiles.keySet())
                .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(oldFiles.get(name)));
    }

    private static PartitionRecord partition(Uuid topicId, int partitionId, int... replicas) {
        List<Integer> ids = Arrays.stream(replicas).boxed().toList();
        return new PartitionRecord(topicId, partitionId, ids, ids, replicas[0], 0, 0);
    }

    private static void publish(ReplicaManager replicas, MetadataDelta delta) {
        replicas.onMetadataUpdate(delta, delta.image());
    }

    @Test
    void appliesEachPublishedDeltaToThePartitionsItChanges() throws Exception {
        startLogManager();
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        MetadataImage empty = image(10);
        replicas.start(empty);

        MetadataDelta create = after(empty, 11, new TopicRecord("kept", KEPT_ID),
                partition(KEPT_ID, 0, BROKER_ID), partition(KEPT_ID, 1, BROKER_ID + 1));
        publish(replicas, create);
        assertThat(replicas.partitions()).containsOnlyKeys(KEPT);
        assertThat(replicas.partitions().get(KEPT).isLeader()).isTrue();

        MetadataDelta retention = after(create.image(), 12,
                new ConfigRecord(ConfigResource.Type.TOPIC, "kept", "retention.ms", "1234"));
        publish(replicas, retention);
        assertThat(replicas.partitions().get(KEPT).log().config().retentionMs()).isEqualTo(1234L);

        MetadataDelta brokerDefault = after(retention.image(), 13,
                new ConfigRecord(ConfigResource.Type.BROKER, "", "log.segment.bytes", "2097152"));
        publish(replicas, brokerDefault);
        assertThat(replicas.partitions().get(KEPT).log().config().segmentBytes()).isEqualTo(2_097_152);

        MetadataDelta leaderMoves = after(brokerDefault.image(), 14,
                new PartitionRecord(KEPT_ID, 0, List.of(BROKER_ID, BROKER_ID + 1), List.of(BROKER_ID, BROKER_ID + 1),
                        BROKER_ID + 1, 1, 1));
        publish(replicas, leaderMoves);
        assertThat(replicas.partitions().get(KEPT).isLeader()).isFalse();

        // Deleted and re-created under its name in one batch: a new, empty partition of the new id.
        replicas.partitions().get(KEPT).log().appendAsLeader(
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes())), 0);
        Uuid recreatedId = new Uuid(3, 3);
        MetadataDelta recreate = after(leaderMoves.image(), 15, new RemoveTopicRecord(KEPT_ID),
                new TopicRecord("kept", recreatedId), partition(recreatedId, 0, BROKER_ID));
        publish(replicas, recreate);
        assertThat(replicas.partitions().get(KEPT).topicId()).isEqualTo(recreatedId);
        assertThat(replicas.partitions().get(KEPT).log().logEndOffset()).isZero();
        assertThat(replicas.partitions().get(KEPT).log().config().retentionMs())
                .isEqualTo(LogConfig.defaults().retentionMs());

        publish(replicas, after(recreate.image(), 16, new RemoveTopicRecord(recreatedId)));
        assertThat(replicas.partitions()).isEmpty();
        assertThat(dir.resolve("kept-0")).doesNotExist();
    }

    @Test
    void aReplicaAReassignmentAddsFollowsAndOneItRemovesStopsFetchingAndLosesItsLog() throws Exception {
        startLogManager();
        List<String> fetching = new ArrayList<>();
        FollowerFetching fetcher = new FollowerFetching() {
            @Override
            public void follow(Partition partition, int leaderId, int leaderEpoch) {
                fetching.add("follow " + partition.topicPartition() + " from " + leaderId + " in " + leaderEpoch);
            }

            @Override
            public void unfollow(TopicPartition tp) {
                fetching.add("unfollow " + tp);
            }
        };
        Replication replication = new Replication(Time.SYSTEM, Replication.DEFAULT_REPLICA_LAG_TIME_MAX_MS,
                request -> new CompletableFuture<>(), () -> 1L, fetcher, Replication.IsrEligibility.ANY);
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()), replication);
        MetadataImage before = image(10, new TopicRecord("kept", KEPT_ID),
                new PartitionRecord(KEPT_ID, 0, List.of(2, 3), List.of(2, 3), 2, 0, 0));
        replicas.start(before);
        assertThat(replicas.partitions()).isEmpty();

        // Moving [2, 3] to [2, 1]: this broker is added, hosts the partition and fetches from the leader.
        MetadataDelta adding = after(before, 11, new PartitionRecord(KEPT_ID, 0, List.of(2, 1, 3), List.of(2, 3),
                2, 0, 1, List.of(1), List.of(3)));
        publish(replicas, adding);
        assertThat(replicas.partitions()).containsOnlyKeys(KEPT);
        assertThat(dir.resolve("kept-0")).isDirectory();
        assertThat(fetching).containsExactly("follow kept-0 from 2 in 0");

        // Cancelled: the replica leaves this broker, stops fetching, and its log is deleted.
        MetadataDelta cancelled = after(adding.image(), 12, new PartitionRecord(KEPT_ID, 0, List.of(2, 3),
                List.of(2, 3), 2, 1, 2));
        publish(replicas, cancelled);
        assertThat(replicas.partitions()).isEmpty();
        assertThat(fetching).containsExactly("follow kept-0 from 2 in 0", "unfollow kept-0");
        assertThat(dir.resolve("kept-0")).doesNotExist();
        assertThat(logManager.partitionsOnDisk()).doesNotContain(KEPT);
        // Deleted as every removed log is, as Kafka does: renamed for deletion, never set aside as a stray.
        assertThat(dirNames()).noneMatch(name -> name.endsWith("-stray"));
    }

    @Test
    void anOfflinePartitionStopsBeingFetchedAnswersStorageErrorAndIsNotRecreated() throws Exception {
        startLogManager();
        List<String> fetching = new ArrayList<>();
        FollowerFetching fetcher = new FollowerFetching() {
            @Override
            public void follow(Partition partition, int leaderId, int leaderEpoch) {
                fetching.add("follow " + partition.topicPartition());
            }

            @Override
            public void unfollow(TopicPartition tp) {
                fetching.add("unfollow " + tp);
            }
        };
        Replication replication = new Replication(Time.SYSTEM, Replication.DEFAULT_REPLICA_LAG_TIME_MAX_MS,
                request -> new CompletableFuture<>(), () -> 1L, fetcher, Replication.IsrEligibility.ANY);
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()), replication);
        TopicPartition led = new TopicPartition("kept", 1);
        MetadataImage before = image(10, new TopicRecord("kept", KEPT_ID),
                new PartitionRecord(KEPT_ID, 0, List.of(2, BROKER_ID), List.of(2, BROKER_ID), 2, 0, 0),
                partition(KEPT_ID, 1, BROKER_ID));
        replicas.start(before);
        assertThat(fetching).containsExactly("follow kept-0");

        replicas.markOffline(Set.of(KEPT));

        assertThat(fetching).containsExactly("follow kept-0", "unfollow kept-0");
        assertThat(replicas.partitions()).containsOnlyKeys(led);
        assertThat(replicas.isOffline(KEPT)).isTrue();
        assertThatThrownBy(() -> replicas.leaderPartition(KEPT)).isInstanceOf(KafkaStorageException.class);
        // a later change of the partition does not bring it back
        publish(replicas, after(before, 11, new PartitionRecord(KEPT_ID, 0, List.of(2, BROKER_ID), List.of(2),
                2, 1, 1)));
        assertThat(replicas.partitions()).containsOnlyKeys(led);
        assertThat(replicas.leaderPartition(led).isLeader()).isTrue();
    }

    @Test
    void aPartitionPlacedInADirectoryTheMetadataLacksIsReportedForAssignment() {
        startLogManager();
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        List<String> assigned = new ArrayList<>();
        replicas.setDirectoryAssigner((topicId, partition, directoryId) ->
                assigned.add(topicId + "-" + partition + "@" + directoryId));
        Uuid dirId = logManager.directoryIds().get(dir);
        MetadataImage before = image(10, new TopicRecord("kept", KEPT_ID), partition(KEPT_ID, 0, BROKER_ID));

        replicas.start(before);
        assertThat(assigned).containsExactly(KEPT_ID + "-0@" + dirId);

        // once the metadata names the directory, nothing more is reported
        publish(replicas, after(before, 11, new PartitionRecord(KEPT_ID, 0, List.of(BROKER_ID), List.of(BROKER_ID),
                BROKER_ID, 0, 0, List.of(), List.of(), List.of(dirId))));
        assertThat(assigned).hasSize(1);
    }

    @Test
    void aChangePublishedWhileStartingIsNotLost() throws Exception {
        startLogManager();
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        MetadataImage caughtUp = image(10);
        // The publisher is already past the image the broker read when it started.
        publish(replicas, after(caughtUp, 11, new TopicRecord("kept", KEPT_ID), partition(KEPT_ID, 0, BROKER_ID)));
        replicas.start(caughtUp);

        assertThat(replicas.partitions()).containsOnlyKeys(KEPT);
    }

    @Test
    void theAppliedImageIsTheOneWhoseLeadershipsAreServed() throws Exception {
        startLogManager();
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, logManager,
                new LogConfigResolver(BrokerConfig.defaults()));
        MetadataImage caughtUp = image(10);
        MetadataDelta create = after(caughtUp, 11, new TopicRecord("kept", KEPT_ID), partition(KEPT_ID, 0, BROKER_ID));
        publish(replicas, create);
        // published before the start: only remembered, nothing served yet
        assertThat(replicas.appliedImage()).isSameAs(MetadataImage.EMPTY);

        replicas.start(caughtUp);
        assertThat(replicas.appliedImage()).isSameAs(create.image());
        assertThat(replicas.leaderPartition(KEPT).isLeader()).isTrue();

        MetadataDelta leaderMoves = after(create.image(), 12, new PartitionRecord(KEPT_ID, 0,
                List.of(BROKER_ID, BROKER_ID + 1), List.of(BROKER_ID, BROKER_ID + 1), BROKER_ID + 1, 1, 1));
        publish(replicas, leaderMoves);
        assertThat(replicas.appliedImage()).isSameAs(leaderMoves.image());
        assertThat(replicas.partitions().get(KEPT).isLeader()).isFalse();
    }

    @Test
    void partitionsKeepTheirEffectiveConfigAndFollowTopicAndBrokerDefaultChanges() {
        Uuid otherId = new Uuid(4, 4);
        TopicPartition other = new TopicPartition("other", 0);
        ReplicaManager replicas = new ReplicaManager(BROKER_ID, startLogManager(),
                new LogConfigResolver(BrokerConfig.defaults()));
        MetadataImage image = image(10, new TopicRecord("kept", KEPT_ID),
                new PartitionRecord(KEPT_ID, 0, List.of(BROKER_ID), List.of(BROKER_ID), BROKER_ID, 0, 0),
                new TopicRecord("other", otherId),
                new PartitionRecord(otherId, 0, List.of(BROKER_ID), List.of(BROKER_ID), BROKER_ID, 0, 0));
        replicas.start(image);
        Partition kept = replicas.partitions().get(KEPT);
        assertThat(kept.minInsyncReplicas()).isEqualTo(1);
        assertThat(kept.config().log().flushIntervalMessages()).isEqualTo(Long.MAX_VALUE);

        MetadataDelta overrides = after(image, 11,
                new ConfigRecord(ConfigResource.Type.TOPIC, "kept", "min.insync.replicas", "2"),
                new ConfigRecord(ConfigResource.Type.TOPIC, "kept", "flush.messages", "1"));
        publish(replicas, overrides);
        image = overrides.image();
        assertThat(replicas.partitions().get(KEPT)).isSameAs(kept);
        assertThat(kept.minInsyncReplicas()).isEqualTo(2);
        assertThat(kept.log().config().flushIntervalMessages()).isEqualTo(1);
        assertThat(replicas.minInsyncReplicas(image, "kept")).isEqualTo(2);
        assertThatThrownBy(() -> kept.appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("v".getBytes())), (short) -1, kept.minInsyncReplicas()))
                .isInstanceOf(NotEnoughReplicasException.class);

        // A cluster-wide default reaches the topic without an override of its own, not the other.
        publish(replicas, after(image, 12,
                new ConfigRecord(ConfigResource.Type.BROKER, "", "min.insync.replicas", "3")));
        assertThat(replicas.partitions().get(other).minInsyncReplicas()).isEqualTo(3);
        assertThat(kept.minInsyncReplicas()).isEqualTo(2);
    }
}
