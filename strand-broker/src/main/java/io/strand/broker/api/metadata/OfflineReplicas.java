package io.strand.broker.api.metadata;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which replicas of a partition Metadata and DescribeTopicPartitions list as offline, as Kafka does:
 * those on a broker that is not registered, is fenced, has no endpoint on the client's listener, or
 * holds the replica in a log directory it reported offline (KIP-858). Stateless.
 */
final class OfflineReplicas {

    private OfflineReplicas() {
    }

    /** The offline replicas of {@code p}, in its replica order. */
    static List<Integer> of(MetadataImage image, String listenerName, PartitionRegistration p) {
        List<Integer> offline = new ArrayList<>(0);
        for (int replica : p.replicas()) {
            BrokerRegistration broker = image.brokers().get(replica);
            if (broker == null || broker.fenced() || broker.endpoint(listenerName).isEmpty()
                    || !broker.hasOnlineDir(p.directory(replica))) {
                offline.add(replica);
            }
        }
        return offline;
    }
}
