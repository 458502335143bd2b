package io.strand.broker.share;

import io.strand.broker.group.ImageTopicIds;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.ShareStateInit;
import io.strand.coordinator.group.ShareStatePartitions;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * The share group offsets administration (KIP-932) as Kafka's group coordinator service does it, between
 * the group coordinator (is the group an empty share group; which share-partitions may have state: see
 * {@link io.strand.coordinator.group.ShareStatePartitions}) and the share coordinator's durable state,
 * reached through the {@link SharePersister}:
 *
 * <ul>
 *   <li>{@link #describeOffsets}: each share-partition's start offset, leader epoch and lag (end offset
 *       minus start offset minus the records delivered past it) from ReadShareGroupStateSummary, for the
 *       topics asked or, without topics, every share-partition of the group that has state. A topic that does
 *       not exist, a share-partition without state, or one whose summary failed answers start offset -1 and
 *       lag -1 without error, as Kafka; so does an unknown group.</li>
 *   <li>{@link #alterOffsets}: on an empty share group (created if there is none) writes each partition's
 *       start offset with InitializeShareGroupState, at a state epoch past the one stored so the leader of
 *       an earlier state is fenced; UNKNOWN_TOPIC_OR_PARTITION for a topic or partition that does not
 *       exist, the persister's error for a partition it failed.</li>
 *   <li>{@link #deleteOffsets}: on an empty share group deletes the state of the topics named
 *       (DeleteShareGroupState); UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist or has none.</li>
 *   <li>{@link #deleteGroupState}: before DeleteGroups removes a share group, deletes all its state.</li>
 * </ul>
 *
 * <p>The lag needs the partition's end offset (its high watermark) from the partition's leader
 * ({@link PartitionEndOffsets}: this broker's replica if it leads, else a ListOffsets to the leader); where it
 * is not known the lag is answered as -1. A new start offset takes effect at the partition leader
 * once the group's share-partitions there are loaded again: they are unloaded when the group's last share
 * session on that broker closes, which has happened on an empty group (see
 * {@link SharePartitionManager#releaseClosed}).
 *
 * <p>Thread-safe: stateless; every step completes on the coordinator's or persister's threads.
 */
public final class ShareGroupAdmin {

    private final GroupCoordinator groups;
    private final SharePersister persister;
    private final Supplier<MetadataImage> image;
    private final Function<TopicPartition, CompletableFuture<OptionalLong>> endOffsets;

    /**
     * @param endOffsets a partition's end offset (high watermark), from its leader ({@link PartitionEndOffsets});
     *                   empty if it is not known
     */
    public ShareGroupAdmin(GroupCoordinator groups, SharePersister persister, Supplier<MetadataImage> image,
                           Function<TopicPartition, CompletableFuture<OptionalLong>> endOffsets) {
        this.groups = groups;
        this.persister = persister;
        this.image = image;
        this.endOffsets = endOffsets;
    }

    /** DescribeShareGroupOffsets of one group; {@code request.topics()} null for every share-partition with state. */
    public CompletableFuture<DescribeShareGroupOffsetsResponseGroup> describeOffsets(
            DescribeShareGroupOffsetsRequestGroup request) {
        String groupId = request.groupId();
        if (request.topics() != null) {
            Map<String, List<Integer>> asked = new LinkedHashMap<>();
            request.topics().forEach(t -> asked.computeIfAbsent(t.topicName(), n -> new ArrayList<>())
                    .addAll(t.partitions()));
            return describe(groupId, asked, false);
        }
        return groups.shareStatePartitions(groupId).thenCompose(found -> {
            if (found.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponseGroup()
                        .setGroupId(groupId).setErrorCode(found.error().code()).setErrorMessage(found.message()));
            }
            Map<String, List<Integer>> all = new LinkedHashMap<>();
            MetadataImage current = image.get();
            found.partitions().forEach((topic, partitions) -> {
                if (current.topics().byName(topic).isPresent()) {
                    all.put(topic, new ArrayList<>(partitions));
                }
            });
            return describe(groupId, all, true);
        });
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseGroup> describe(String groupId,
                                                                               Map<String, List<Integer>> topics,
                                                                               boolean onlyWithState) {
        MetadataImage current = image.get();
        List<DescribeShareGroupOffsetsResponseTopic> answered = new ArrayList<>();
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        Set<DescribeShareGroupOffsetsResponsePartition> withoutState =
                Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        topics.forEach((name, partitions) -> {
            Optional<TopicImage> topic = current.topics().byName(name);
            DescribeShareGroupOffsetsResponseTopic out = new DescribeShareGroupOffsetsResponseTopic()
                    .setTopicName(name).setTopicId(topic.map(TopicImage::id).orElse(Uuid.ZERO_UUID));
            answered.add(out);
            for (int partition : partitions) {
                DescribeShareGroupOffsetsResponsePartition p = new DescribeShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(partition).setStartOffset(-1).setLeaderEpoch(0).setLag(-1);
                out.partitions().add(p);
                if (topic.isEmpty()) {
                    continue;
                }
                TopicIdPartition tip = new TopicIdPartition(topic.get().id(), partition, name);
                reads.add(persister.readSummary(groupId, tip).handle((summary, failure) -> {
                    if (failure == null && summary.initialized()) {
                        p.setStartOffset(summary.startOffset()).setLeaderEpoch(summary.leaderEpoch());
                        return endOffsets.apply(tip.topicPartition())
                                .thenAccept(end -> p.setLag(lag(end, summary)));
                    } else if (failure == null && onlyWithState) {
                        withoutState.add(p);
                    }
                    return CompletableFuture.<Void>completedFuture(null);
                }).thenCompose(Function.identity()));
            }
        });
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            answered.forEach(t -> t.partitions().removeIf(withoutState::contains));
            answered.removeIf(t -> onlyWithState && t.partitions().isEmpty());
            return new DescribeShareGroupOffsetsResponseGroup().setGroupId(groupId).setTopics(answered);
        });
    }

    /**
     * End offset - start offset - records delivered past the start, as Kafka computes it (negative for a start
     * offset past the end, which the admin client shows as unknown); -1 if either is not known here.
     */
    private static long lag(OptionalLong end, SharePersister.StateSummary summary) {
        if (end.isEmpty() || summary.deliveryCompleteCount() < 0) {
            return -1;
        }
        return end.getAsLong() - summary.startOffset() - summary.deliveryCompleteCount();
    }

    /** One partition's new start offset and where its answer goes. */
    private record StartOffsetWrite(AlterShareGroupOffsetsResponsePartition answer, TopicIdPartition tip,
                                    long startOffset) {
    }

    /** AlterShareGroupOffsets; the topics the caller may not alter are already left out of {@code request}. */
    public CompletableFuture<AlterShareGroupOffsetsResponseData> alterOffsets(AlterShareGroupOffsetsRequestData request) {
        String groupId = request.groupId();
        MetadataImage current = image.get();
        AlterShareGroupOffsetsResponseData response = new AlterShareGroupOffsetsResponseData();
        Map<String, Set<Integer>> valid = new LinkedHashMap<>();
        List<StartOffsetWrite> toWrite = new ArrayList<>();
        for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic topic : request.topics()) {
            Optional<TopicImage> image = current.topics().byName(topic.topicName());
            AlterShareGroupOffsetsResponseTopic out = new AlterShareGroupOffsetsResponseTopic()
                    .setTopicName(topic.topicName()).setTopicId(image.map(TopicImage::id).orElse(Uuid.ZERO_UUID));
            if (image.isPresent() || !topic.partitions().isEmpty()) {
                response.responses().add(out); // as Kafka: an unknown topic is answered per partition named
            }
            if (image.isPresent()) {
                valid.computeIfAbsent(topic.topicName(), n -> new HashSet<>()); // a known topic makes the group
            }
            for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition p : topic.partitions()) {
                AlterShareGroupOffsetsResponsePartition answer = new AlterShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                out.partitions().add(answer);
                if (image.isEmpty() || p.partitionIndex() < 0 || p.partitionIndex() >= image.get().numPartitions()) {
                    answer.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    continue;
                }
                valid.computeIfAbsent(topic.topicName(), n -> new HashSet<>()).add(p.partitionIndex());
                toWrite.add(new StartOffsetWrite(answer,
                        new TopicIdPartition(image.get().id(), p.partitionIndex(), topic.topicName()), p.startOffset()));
            }
        }
        return groups.prepareShareOffsetsAlter(groupId, valid, new ImageTopicIds(current)).thenCompose(check -> {
            if (check.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(new AlterShareGroupOffsetsResponseData()
                        .setErrorCode(check.error().code()).setErrorMessage(check.message()));
            }
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (StartOffsetWrite write : toWrite) {
                writes.add(persister.readSummary(groupId, write.tip())
                        .thenCompose(summary -> persister.initialize(groupId, write.tip(), summary.stateEpoch() + 1,
                                write.startOffset()))
                        .handle((v, failure) -> {
                            if (failure != null) {
                                Throwable cause = unwrap(failure);
                                write.answer().setErrorCode(Errors.forException(cause).code())
                                        .setErrorMessage(cause.getMessage());
                            }
                            return null;
                        }));
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(v -> response);
        });
    }

    /**
     * Initializes the share state of partitions the group coordinator recorded as being initialized (Kafka's
     * group coordinator sends InitializeShareGroupState so): at the group epoch that asked, with no start
     * offset (-1; the partition's leader resolves {@code share.auto.offset.reset} at its first fetch).
     * Completes true once every partition's state is initialized, false if any failed.
     */
    public CompletableFuture<Boolean> initializeState(ShareStateInit init) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        init.partitions().forEach((topicId, partitions) -> {
            String name = init.topicNames().get(topicId);
            for (int partition : partitions) {
                writes.add(persister.initialize(init.groupId(), new TopicIdPartition(topicId, partition, name),
                        init.stateEpoch(), -1L));
            }
        });
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                .handle((v, failure) -> failure == null);
    }

    /** DeleteShareGroupOffsets; the topics the caller may not delete are already left out of {@code request}. */
    public CompletableFuture<DeleteShareGroupOffsetsResponseData> deleteOffsets(
            DeleteShareGroupOffsetsRequestData request) {
        String groupId = request.groupId();
        return groups.prepareShareStateDelete(groupId).thenCompose(check -> {
            if (check.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData()
                        .setErrorCode(check.error().code()).setErrorMessage(check.message()));
            }
            MetadataImage current = image.get();
            DeleteShareGroupOffsetsResponseData response = new DeleteShareGroupOffsetsResponseData();
            List<CompletableFuture<Void>> deletes = new ArrayList<>();
            List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
            for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic topic : request.topics()) {
                String name = topic.topicName();
                Optional<TopicImage> image = current.topics().byName(name);
                DeleteShareGroupOffsetsResponseTopic out = new DeleteShareGroupOffsetsResponseTopic().setTopicName(name)
                        .setTopicId(image.map(TopicImage::id).orElse(Uuid.ZERO_UUID));
                response.responses().add(out);
                SortedSet<Integer> partitions = check.partitions().get(name);
                if (image.isEmpty()) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    continue;
                }
                if (partitions == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("There is no offset information to delete.");
                    continue;
                }
                deletes.add(deleteState(groupId, image.get(), partitions).thenAccept(error -> {
                    if (error != Errors.NONE) {
                        out.setErrorCode(error.code()).setErrorMessage(error.message());
                    } else {
                        deleted.add(name);
                    }
                }));
            }
            return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
                    .thenCompose(v -> deleted.isEmpty() ? CompletableFuture.completedFuture(null)
                            : groups.forgetShareStatePartitions(groupId, List.copyOf(deleted)))
                    .thenApply(v -> response);
        });
    }

    /**
     * Deletes all the durable state of {@code groupId} if it is an empty share group, before DeleteGroups
     * removes it: NONE once deleted, or when the group is not a share group (DeleteGroups then answers for
     * it); NON_EMPTY_GROUP with members; the coordinator's or persister's error otherwise.
     */
    public CompletableFuture<Errors> deleteGroupState(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.NONE); // never a share group's id
        }
        return groups.prepareShareStateDelete(groupId).thenCompose(check -> {
            if (check.error() == Errors.GROUP_ID_NOT_FOUND) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            if (check.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(check.error());
            }
            MetadataImage current = image.get();
            List<CompletableFuture<Errors>> deletes = new ArrayList<>();
            check.partitions().forEach((topic, partitions) -> current.topics().byName(topic)
                    .ifPresent(t -> deletes.add(deleteState(groupId, t, partitions))));
            return firstError(deletes);
        });
    }

    /** Deletes the state of the topic's {@code partitions}: the first error, or NONE. */
    private CompletableFuture<Errors> deleteState(String groupId, TopicImage topic, SortedSet<Integer> partitions) {
        List<CompletableFuture<Errors>> deletes = new ArrayList<>();
        for (int partition : partitions) {
            deletes.add(persister.delete(groupId, new TopicIdPartition(topic.id(), partition, topic.name())));
        }
        return firstError(deletes);
    }

    private static CompletableFuture<Errors> firstError(List<CompletableFuture<Errors>> results) {
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> results.stream()
                .map(CompletableFuture::join).filter(e -> e != Errors.NONE).findFirst().orElse(Errors.NONE));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
