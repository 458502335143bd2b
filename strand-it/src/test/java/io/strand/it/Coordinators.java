package io.strand.it;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * Which node coordinates a key, asked of one broker with a single FindCoordinator (v6, every key in one
 * request): for tests that pick a group whose coordinator, or a share-partition whose share coordinator
 * ({@code groupId:topicId:partition}), sits on the node they mean to kill. Stateless.
 */
final class Coordinators {

    /** The node id answered for a key the broker answered with an error (COORDINATOR_NOT_AVAILABLE …). */
    static final int NONE = -1;

    private static final short VERSION = 6;

    private Coordinators() {
    }

    /** The share coordinator's key of a share-partition, as FindCoordinator with key type SHARE takes it. */
    static String shareKey(String group, String topicId, int partition) {
        return group + ":" + topicId + ":" + partition;
    }

    /**
     * Asks the broker at {@code bootstrap} (one {@code host:port}) for the coordinator of each key.
     *
     * @return key → coordinator node id, {@link #NONE} for a key answered with an error
     */
    static Map<String, Integer> find(String bootstrap, CoordinatorType type, List<String> keys) throws IOException {
        FindCoordinatorRequest request = new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKeyType(type.id()).setCoordinatorKeys(keys)).build(VERSION);
        try (RawKafkaConnection connection = new RawKafkaConnection(bootstrap)) {
            FindCoordinatorResponse response = (FindCoordinatorResponse) connection.roundTrip(request);
            Map<String, Integer> nodes = new HashMap<>();
            for (Coordinator coordinator : response.data().coordinators()) {
                nodes.put(coordinator.key(),
                        coordinator.errorCode() == Errors.NONE.code() ? coordinator.nodeId() : NONE);
            }
            return nodes;
        }
    }
}
