package io.strand.server.metrics;

import io.strand.broker.BrokerServer;
import io.strand.coordinator.group.CommittedOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One group's position in one partition and how far behind it is, as the lag exporters report it
 * (kafka-lag-exporter, Burrow, kafka_exporter): the partition's high watermark (the end a
 * read_uncommitted consumer can reach) minus the group's committed offset, never below 0.
 *
 * @param lag the records between the committed offset and the high watermark; -1 when this node
 *            hosts no replica of the partition and so does not know its high watermark
 */
record ConsumerLag(String group, String topic, int partition, long committedOffset, long lag) {

    /** No high watermark known here. */
    static final long UNKNOWN = -1L;

    /**
     * Joins {@code committed} (of the groups this node coordinates) with the high watermarks of the
     * partitions {@code hosted} here.
     */
    static List<ConsumerLag> of(List<CommittedOffset> committed, List<BrokerServer.HostedPartition> hosted) {
        Map<TopicPartition, Long> highWatermarks = new HashMap<>(hosted.size() * 2);
        for (BrokerServer.HostedPartition p : hosted) {
            highWatermarks.put(new TopicPartition(p.topic(), p.partition()), p.highWatermark());
        }
        List<ConsumerLag> result = new ArrayList<>(committed.size());
        for (CommittedOffset c : committed) {
            Long highWatermark = highWatermarks.get(c.topicPartition());
            long lag = highWatermark == null ? UNKNOWN : Math.max(0L, highWatermark - c.committedOffset());
            result.add(new ConsumerLag(c.groupId(), c.topicPartition().topic(), c.topicPartition().partition(),
                    c.committedOffset(), lag));
        }
        return result;
    }
}
