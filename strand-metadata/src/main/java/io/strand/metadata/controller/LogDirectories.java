package io.strand.metadata.controller;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of a broker with several log directories (JBOD, KIP-858; Kafka's
 * ReplicationControlManager {@code handleDirectoriesOffline} and {@code handleAssignReplicasToDirs}).
 * Stateless; runs on the controller thread; computes records, changes nothing.
 *
 * <p><b>Offline directories.</b> A heartbeat naming directories of the broker's registration as
 * offline writes a {@link BrokerRegistrationChangeRecord} with the directories still online, then, for
 * every partition whose replica on that broker lives in a directory now offline, the change a fenced
 * broker brings to that partition alone: the broker leaves the ISR where it is not the last member, and
 * a leadership it held goes to another ISR member that may lead (or, where the topic allows unclean
 * election, another live replica; else none). The broker stays unfenced and keeps its other
 * partitions. A broker left with no directory online is fenced as a whole. Directories come back only
 * with a new registration (the broker restarted).
 *
 * <p><b>Assignments.</b> An AssignReplicasToDirs request sets, per partition, the directory of the
 * sending broker's replica, without changing any epoch. A replica assigned to a directory that is not
 * online for the broker is handled as above at once.
 */
final class LogDirectories {

    private static final Logger log = LoggerFactory.getLogger(LogDirectories.class);

    private LogDirectories() {
    }

    /**
     * The records for a heartbeat's {@code OfflineLogDirs}: none when no directory of the broker's
     * registration is newly offline.
     */
    static List<MetadataRecord> onOfflineDirs(MetadataImage image, BrokerRegistration broker, List<Uuid> offlineDirs,
                                              boolean uncleanDefault) {
        Set<Uuid> offline = Set.copyOf(offlineDirs);
        List<Uuid> online = broker.logDirs().stream().filter(d -> !offline.contains(d)).toList();
        if (online.size() == broker.logDirs().size()) {
            return List.of();
        }
        if (online.isEmpty()) {
            log.warn("Every log directory of broker={} is offline: fencing it dirs={}", broker.brokerId(), offlineDirs);
            return BrokerLifecycle.changeState(image, broker, true, false, uncleanDefault);
        }
        List<Uuid> newlyOffline = broker.logDirs().stream().filter(offline::contains).toList();
        log.warn("Log directories of broker={} offline: dirs={} onlineDirs={}", broker.brokerId(), newlyOffline, online);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new BrokerRegistrationChangeRecord(broker.brokerId(), broker.brokerEpoch(), broker.fenced(),
                broker.inControlledShutdown(), online));
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(records);
        MetadataImage working = delta.apply();
        for (TopicImage topic : working.topics().all()) {
            for (Map.Entry<Integer, PartitionRegistration> entry : topic.partitions().entrySet()) {
                PartitionRegistration partition = entry.getValue();
                if (partition.replicas().contains(broker.brokerId())
                        && newlyOffline.contains(partition.directory(broker.brokerId()))) {
                    offlineReplicaChange(working, topic, partition, broker.brokerId(), uncleanDefault)
                            .ifPresent(next -> records.add(next.toRecord(topic.id(), entry.getKey())));
                }
            }
        }
        return records;
    }

    /**
     * A broker's AssignReplicasToDirs. STALE_BROKER_EPOCH at the top when the broker is not registered
     * with that epoch; per partition UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION, or
     * NOT_LEADER_OR_FOLLOWER when the broker holds no replica of it.
     */
    static ControllerResult<AssignReplicasToDirsResponseData> assign(MetadataImage image,
                                                                     AssignReplicasToDirsRequestData request,
                                                                     boolean uncleanDefault) {
        AssignReplicasToDirsResponseData response = new AssignReplicasToDirsResponseData()
                .setErrorCode(Errors.NONE.code());
        int brokerId = request.brokerId();
        BrokerRegistration broker = image.brokers().get(brokerId);
        if (broker == null || broker.brokerEpoch() != request.brokerEpoch()) {
            return ControllerResult.of(response.setErrorCode(Errors.STALE_BROKER_EPOCH.code()));
        }
        Map<TopicPartitionKey, PartitionRegistration> changed = new LinkedHashMap<>();
        for (AssignReplicasToDirsRequestData.DirectoryData dir : request.directories()) {
            AssignReplicasToDirsResponseData.DirectoryData dirResponse =
                    new AssignReplicasToDirsResponseData.DirectoryData().setId(dir.id());
            response.directories().add(dirResponse);
            for (AssignReplicasToDirsRequestData.TopicData topicData : dir.topics()) {
                AssignReplicasToDirsResponseData.TopicData topicResponse =
                        new AssignReplicasToDirsResponseData.TopicData().setTopicId(topicData.topicId());
                dirResponse.topics().add(topicResponse);
                Optional<TopicImage> topic = image.topics().byId(topicData.topicId());
                for (AssignReplicasToDirsRequestData.PartitionData partitionData : topicData.partitions()) {
                    int partitionId = partitionData.partitionIndex();
                    Errors error = Errors.NONE;
                    if (topic.isEmpty()) {
                        error = Errors.UNKNOWN_TOPIC_ID;
                    } else {
                        TopicPartitionKey key = new TopicPartitionKey(topicData.topicId(), partitionId);
                        PartitionRegistration partition = changed.getOrDefault(key,
                                topic.get().partitions().get(partitionId));
                        if (partition == null) {
                            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                        } else if (!partition.replicas().contains(brokerId)) {
                            error = Errors.NOT_LEADER_OR_FOLLOWER;
                        } else if (!partition.directory(brokerId).equals(dir.id())) {
                            changed.put(key, partition.withDirectory(brokerId, dir.id()));
                        }
                    }
                    topicResponse.partitions().add(new AssignReplicasToDirsResponseData.PartitionData()
                            .setPartitionIndex(partitionId).setErrorCode(error.code()));
                }
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        for (Map.Entry<TopicPartitionKey, PartitionRegistration> e : changed.entrySet()) {
            TopicImage topic = image.topics().byId(e.getKey().topicId()).orElseThrow();
            PartitionRegistration assigned = e.getValue();
            PartitionRegistration next = assigned;
            if (!broker.hasOnlineDir(assigned.directory(brokerId))) {
                next = offlineReplicaChange(image, topic, assigned, brokerId, uncleanDefault).orElse(assigned);
            }
            records.add(next.toRecord(topic.id(), e.getKey().partitionId()));
        }
        return new ControllerResult<>(records, response);
    }

    /**
     * The change of {@code partition} when {@code brokerId}'s replica of it is offline: out of the
     * ISR unless it is the last member, and no longer its leader. {@code image} must already hold the
     * directory as offline (so the broker is not acceptable for this partition).
     */
    private static Optional<PartitionRegistration> offlineReplicaChange(MetadataImage image, TopicImage topic,
                                                                       PartitionRegistration partition, int brokerId,
                                                                       boolean uncleanDefault) {
        PartitionChange.Election election = PartitionChange.onlineElection(image, topic.name(), uncleanDefault);
        List<Integer> targetIsr = partition.isr().size() > 1
                ? partition.isr().stream().filter(id -> id != brokerId).toList() : partition.isr();
        return PartitionChange.build(partition, targetIsr,
                id -> id != brokerId && PartitionChange.isActiveFor(image, id, partition), election);
    }

    private record TopicPartitionKey(Uuid topicId, int partitionId) {
    }
}
