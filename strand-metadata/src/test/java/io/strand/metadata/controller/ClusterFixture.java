package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;

import io.strand.common.time.ManualTime;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A controller on manual time with brokers that register and heartbeat through the lifecycle
 * API, for the broker lifecycle and leadership tests. The controller runs on an executor the
 * fixture owns, so nothing runs periodically: tests call {@link QuorumController#fenceExpiredBrokers()}.
 */
final class ClusterFixture implements AutoCloseable {

    final ManualTime time = new ManualTime();
    final LocalMetadataLog metadataLog = new LocalMetadataLog();
    final ExecutorService executor = Executors.newSingleThreadExecutor();
    final QuorumController controller;
    private final Map<Integer, Long> epochs = new HashMap<>();

    ClusterFixture(ClusterControlSettings settings) {
        this(settings, BrokerProbeSettings.DISABLED);
    }

    /** Probes enabled: tests call {@link QuorumController#probeSilentBrokers()}. */
    ClusterFixture(ClusterControlSettings settings, BrokerProbeSettings probeSettings) {
        controller = new QuorumController(metadataLog, time, new Random(5), executor, settings, probeSettings);
    }

    ClusterFixture() {
        this(ClusterControlSettings.DEFAULTS);
    }

    static BrokerRegistrationRequestData registration(int brokerId, Uuid incarnationId, String rack) {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setIncarnationId(incarnationId).setRack(rack);
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("broker-" + brokerId).setPort(9092).setSecurityProtocol((short) 0));
        return request;
    }

    BrokerRegistrationResponseData register(int brokerId, String rack) {
        return register(registration(brokerId, new Uuid(brokerId + 1, time.milliseconds()), rack));
    }

    BrokerRegistrationResponseData register(BrokerRegistrationRequestData request) {
        BrokerRegistrationResponseData response = get(controller.registerBroker(request));
        if (response.errorCode() == Errors.NONE.code()) {
            epochs.put(request.brokerId(), response.brokerEpoch());
        }
        return response;
    }

    long epoch(int brokerId) {
        return epochs.get(brokerId);
    }

    /** A heartbeat at the current metadata offset, asking to be unfenced. */
    BrokerHeartbeatResponseData heartbeat(int brokerId) {
        return heartbeat(new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(epoch(brokerId))
                .setCurrentMetadataOffset(image().appliedOffset()).setWantFence(false));
    }

    BrokerHeartbeatResponseData heartbeat(BrokerHeartbeatRequestData request) {
        return get(controller.brokerHeartbeat(request));
    }

    /** Registers and unfences each broker, without racks. */
    void activate(int... brokerIds) {
        for (int id : brokerIds) {
            register(id, null);
            heartbeat(id);
        }
    }

    /** Time moves on by {@code ms}; then every broker but {@code silent} heartbeats. */
    void advanceWithHeartbeats(long ms, int... silent) {
        time.advance(ms);
        for (BrokerRegistration broker : image().brokers().values()) {
            if (java.util.Arrays.stream(silent).noneMatch(id -> id == broker.brokerId())) {
                heartbeat(new BrokerHeartbeatRequestData().setBrokerId(broker.brokerId())
                        .setBrokerEpoch(broker.brokerEpoch()).setCurrentMetadataOffset(image().appliedOffset())
                        .setWantFence(broker.fenced()));
            }
        }
    }

    List<Integer> fenceExpired() {
        return get(controller.fenceExpiredBrokers());
    }

    CreateTopicsResponseData.CreatableTopicResult createTopic(CreatableTopic topic) {
        return get(controller.createTopics(ControllerTestSupport.createTopics(topic),
                ControllerDefaults.SINGLE_NODE)).topics().iterator().next();
    }

    MetadataImage image() {
        return metadataLog.image();
    }

    PartitionRegistration partition(String topic, int partitionId) {
        return image().topics().byName(topic).orElseThrow().partition(partitionId).orElseThrow();
    }

    Uuid topicId(String topic) {
        return image().topics().byName(topic).orElseThrow().id();
    }

    BrokerRegistration broker(int brokerId) {
        return image().brokers().get(brokerId);
    }

    @Override
    public void close() {
        controller.close();
        executor.shutdown();
    }
}
