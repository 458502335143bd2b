package io.strand.metadata.controller;

import io.strand.common.DirectoryId;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.UnregisterBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes broker lifecycle operations against an image (Kafka's ClusterControlManager and the
 * broker side of ReplicationControlManager): registration, heartbeats, fencing on session expiry,
 * controlled shutdown, and the partition changes each implies. Only {@link BrokerSessions} (the
 * controller's memory) is touched while computing; the image changes when the records apply.
 *
 * <p>Broker states and transitions (see {@link BrokerRegistration}):
 * <pre>
 *   REGISTERED/FENCED --heartbeat, wantFence=false, caught up--> ACTIVE
 *   ACTIVE --heartbeat wantShutDown--> CONTROLLED_SHUTDOWN (leaderships moved, ISRs left)
 *   CONTROLLED_SHUTDOWN --heartbeat: leads nothing, has seen that--> FENCED, shouldShutDown
 *   ACTIVE / CONTROLLED_SHUTDOWN --session timeout or wantFence--> FENCED (same)
 *   any --new registration--> FENCED with a new epoch
 *   ACTIVE --heartbeat names some log directories offline--> ACTIVE, those directories' replicas
 *          out of ISRs and leaderships (see {@link LogDirectories}); all of them --> FENCED
 * </pre>
 * Runs on the controller thread.
 */
final class BrokerLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);

    private BrokerLifecycle() {
    }

    static ControllerResult<BrokerRegistrationResponseData> register(MetadataImage image,
                                                                     BrokerRegistrationRequestData request,
                                                                     BrokerSessions sessions, long nowMs,
                                                                     ClusterControlSettings settings) {
        int brokerId = request.brokerId();
        if (brokerId < 0) {
            return ControllerResult.of(registrationError(Errors.INVALID_REQUEST, "Invalid broker id " + brokerId));
        }
        if (request.clusterId() != null && image.clusterId() != null && !request.clusterId().equals(image.clusterId())) {
            return ControllerResult.of(registrationError(Errors.INCONSISTENT_CLUSTER_ID, "Expected cluster ID "
                    + image.clusterId() + ", but got cluster ID " + request.clusterId()));
        }
        List<Uuid> logDirs = request.logDirs();
        if (logDirs.stream().anyMatch(DirectoryId::reserved) || Set.copyOf(logDirs).size() != logDirs.size()) {
            return ControllerResult.of(registrationError(Errors.INVALID_REGISTRATION,
                    "Reserved or repeated log directory ids: logDirs=" + logDirs));
        }
        BrokerRegistration existing = image.brokers().get(brokerId);
        if (existing != null && !existing.incarnationId().equals(request.incarnationId())
                && sessions.hasLiveSession(existing, nowMs)) {
            return ControllerResult.of(registrationError(Errors.DUPLICATE_BROKER_REGISTRATION,
                    "Another broker is registered with that broker id."));
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (BrokerRegistrationRequestData.Listener listener : request.listeners()) {
            endpoints.add(new Endpoint(listener.name(), listener.host(), listener.port(),
                    SecurityProtocol.forId(listener.securityProtocol()).name));
        }
        sessions.touch(brokerId, nowMs);
        if (existing != null && existing.hasSession() && existing.incarnationId().equals(request.incarnationId())
                && existing.endpoints().equals(endpoints) && Objects.equals(existing.rack(), request.rack())) {
            // A retry of a registration already applied: the same session.
            return ControllerResult.of(new BrokerRegistrationResponseData().setErrorCode(Errors.NONE.code())
                    .setBrokerEpoch(existing.brokerEpoch()));
        }
        long brokerEpoch = Math.max(Math.max(image.appliedOffset() + 1, 1L),
                existing == null ? 1L : existing.brokerEpoch() + 1);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new RegisterBrokerRecord(brokerId, request.incarnationId(), endpoints, request.rack(),
                brokerEpoch, true, false, logDirs));
        if (existing != null) {
            // A registration replaced without a fence (the old one's session had lapsed unnoticed):
            // the broker leaves ISRs and leaderships as a fenced one does.
            records.addAll(partitionChanges(image, brokerId, false, settings.uncleanLeaderElectionEnable()));
        }
        return new ControllerResult<>(records, new BrokerRegistrationResponseData().setErrorCode(Errors.NONE.code())
                .setBrokerEpoch(brokerEpoch), offset -> sessions.onRegistered(brokerId, offset));
    }

    static ControllerResult<BrokerHeartbeatResponseData> heartbeat(MetadataImage image,
                                                                   BrokerHeartbeatRequestData request,
                                                                   BrokerSessions sessions, long nowMs,
                                                                   ClusterControlSettings settings) {
        int brokerId = request.brokerId();
        BrokerRegistration broker = image.brokers().get(brokerId);
        if (broker == null || broker.brokerEpoch() != request.brokerEpoch()) {
            return ControllerResult.of(new BrokerHeartbeatResponseData()
                    .setErrorCode(Errors.STALE_BROKER_EPOCH.code()).setIsFenced(true));
        }
        sessions.touch(brokerId, nowMs);
        boolean caughtUp = sessions.isCaughtUp(brokerId, request.currentMetadataOffset());
        BrokerHeartbeatResponseData response = new BrokerHeartbeatResponseData().setErrorCode(Errors.NONE.code())
                .setIsCaughtUp(caughtUp).setIsFenced(broker.fenced());
        boolean unclean = settings.uncleanLeaderElectionEnable();
        List<MetadataRecord> offlineDirs = LogDirectories.onOfflineDirs(image, broker, request.offlineLogDirs(), unclean);
        if (!offlineDirs.isEmpty()) {
            // Directories newly offline first; the rest of what this heartbeat asks waits for the next one.
            boolean fenced = offlineDirs.get(0) instanceof BrokerRegistrationChangeRecord change && change.fenced();
            return new ControllerResult<>(offlineDirs, response.setIsFenced(fenced));
        }
        if (broker.fenced()) {
            if (request.wantShutDown()) {
                return ControllerResult.of(response.setShouldShutDown(true));
            }
            if (!request.wantFence() && caughtUp) {
                return new ControllerResult<>(changeState(image, broker, false, false, unclean),
                        response.setIsFenced(false));
            }
            return ControllerResult.of(response);
        }
        if (broker.inControlledShutdown()) {
            if (leadsNothing(image, brokerId)
                    && sessions.hasSeenControlledShutdown(brokerId, request.currentMetadataOffset())) {
                // Done: fenced now, as Kafka does, so its next incarnation may register at once.
                return new ControllerResult<>(changeState(image, broker, true, false, unclean),
                        response.setShouldShutDown(true).setIsFenced(true));
            }
            return ControllerResult.of(response);
        }
        if (request.wantShutDown()) {
            return new ControllerResult<>(changeState(image, broker, false, true, unclean), response,
                    offset -> sessions.onControlledShutdownStarted(brokerId, offset));
        }
        if (request.wantFence()) {
            return new ControllerResult<>(changeState(image, broker, true, false, unclean),
                    response.setIsFenced(true));
        }
        return ControllerResult.of(response);
    }

    /**
     * Removes a broker's registration (Kafka's UnregisterBroker, for decommissioning): it leaves
     * ISRs and leaderships as a fenced broker does, then its registration goes. Partitions keep it
     * in their replica lists. BROKER_ID_NOT_REGISTERED when there is none.
     */
    static ControllerResult<UnregisterBrokerResponseData> unregister(MetadataImage image, int brokerId,
                                                                     BrokerSessions sessions,
                                                                     ClusterControlSettings settings) {
        BrokerRegistration broker = image.brokers().get(brokerId);
        if (broker == null) {
            return ControllerResult.of(new UnregisterBrokerResponseData()
                    .setErrorCode(Errors.BROKER_ID_NOT_REGISTERED.code())
                    .setErrorMessage("Broker ID " + brokerId + " is not currently registered"));
        }
        List<MetadataRecord> records = new ArrayList<>(
                partitionChanges(image, brokerId, false, settings.uncleanLeaderElectionEnable()));
        records.add(new UnregisterBrokerRecord(brokerId, broker.brokerEpoch()));
        return new ControllerResult<>(records, new UnregisterBrokerResponseData().setErrorCode(Errors.NONE.code()),
                offset -> sessions.remove(brokerId));
    }

    /**
     * Fences every broker whose session expired: one change record each, and the partition
     * changes, computed broker after broker on the image the earlier ones make.
     *
     * @return the fenced broker ids as the response
     */
    static ControllerResult<List<Integer>> fenceExpired(MetadataImage image, BrokerSessions sessions, long nowMs,
                                                        ClusterControlSettings settings) {
        List<Integer> expired = sessions.expired(image, nowMs);
        List<MetadataRecord> records = new ArrayList<>();
        MetadataImage working = image;
        for (int brokerId : expired) {
            List<MetadataRecord> fence = changeState(working, working.brokers().get(brokerId), true, false,
                    settings.uncleanLeaderElectionEnable());
            records.addAll(fence);
            MetadataDelta delta = new MetadataDelta(working);
            delta.replayAll(fence);
            working = delta.apply();
        }
        return new ControllerResult<>(records, expired);
    }

    /** The change record moving {@code broker} to the given state, then the partition changes it implies. */
    static List<MetadataRecord> changeState(MetadataImage image, BrokerRegistration broker, boolean fenced,
                                            boolean inControlledShutdown, boolean uncleanDefault) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new BrokerRegistrationChangeRecord(broker.brokerId(), broker.brokerEpoch(), fenced,
                inControlledShutdown));
        records.addAll(partitionChanges(image, broker.brokerId(), !fenced && !inControlledShutdown, uncleanDefault));
        return records;
    }

    /**
     * The partition changes when {@code brokerId} becomes active ({@code nowActive}) or stops
     * being active. Stopping: it leaves every ISR where it is not the last member and every
     * leadership goes to another acceptable ISR member (or, where the topic allows unclean
     * election, another live replica; else no leader). Becoming active: leaderless partitions it
     * is an ISR member of (or a replica of, where unclean election is allowed) get a leader.
     */
    static List<MetadataRecord> partitionChanges(MetadataImage image, int brokerId, boolean nowActive,
                                                 boolean uncleanDefault) {
        List<MetadataRecord> records = new ArrayList<>();
        BrokerRegistration self = image.brokers().get(brokerId);
        for (TopicImage topic : image.topics().all()) {
            PartitionChange.Election election = PartitionChange.onlineElection(image, topic.name(), uncleanDefault);
            for (Map.Entry<Integer, PartitionRegistration> entry : topic.partitions().entrySet()) {
                PartitionRegistration partition = entry.getValue();
                IntPredicate acceptable = id -> id == brokerId
                        ? nowActive && (self == null || self.hasOnlineDir(partition.directory(id)))
                        : PartitionChange.isActiveFor(image, id, partition);
                List<Integer> targetIsr;
                if (nowActive) {
                    boolean candidate = partition.isr().contains(brokerId)
                            || election == PartitionChange.Election.UNCLEAN && partition.replicas().contains(brokerId);
                    if (partition.hasLeader() || !candidate) {
                        continue;
                    }
                    targetIsr = partition.isr();
                } else {
                    if (!partition.isr().contains(brokerId) && partition.leader() != brokerId) {
                        continue;
                    }
                    targetIsr = partition.isr().size() > 1
                            ? partition.isr().stream().filter(id -> id != brokerId).toList() : partition.isr();
                }
                PartitionChange.build(partition, targetIsr, acceptable, election)
                        .ifPresent(next -> records.add(next.toRecord(topic.id(), entry.getKey())));
            }
        }
        return records;
    }

    static boolean leadsNothing(MetadataImage image, int brokerId) {
        for (TopicImage topic : image.topics().all()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.leader() == brokerId) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The response has no message field; the reason goes to the log. */
    private static BrokerRegistrationResponseData registrationError(Errors error, String reason) {
        log.info("Refused a broker registration: error={} reason={}", error, reason);
        return new BrokerRegistrationResponseData().setErrorCode(error.code()).setBrokerEpoch(-1);
    }
}
