package io.strand.coordinator.share;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The share coordinator's settings, under Kafka's names and with Kafka's defaults, each defined once in
 * {@link #DEF} and validated with the node's other properties. Immutable.
 *
 * @param stateTopicPartitions      {@code share.coordinator.state.topic.num.partitions}: a share-partition's
 *                                  state lives in partition {@code abs(hash(groupId:topicId:partition)) % this}
 * @param stateTopicReplicationFactor {@code share.coordinator.state.topic.replication.factor}
 * @param stateTopicMinIsr          {@code share.coordinator.state.topic.min.isr}
 * @param stateTopicSegmentBytes    {@code share.coordinator.state.topic.segment.bytes}
 * @param updateRecordsPerSnapshot  {@code share.coordinator.snapshot.update.records.per.snapshot}: after this
 *                                  many ShareUpdate records of a key the next write is a whole ShareSnapshot
 */
public record ShareCoordinatorConfig(int stateTopicPartitions, short stateTopicReplicationFactor,
                                     short stateTopicMinIsr, int stateTopicSegmentBytes,
                                     int updateRecordsPerSnapshot) {

    public static final String STATE_TOPIC_PARTITIONS = "share.coordinator.state.topic.num.partitions";
    public static final String STATE_TOPIC_REPLICATION_FACTOR = "share.coordinator.state.topic.replication.factor";
    public static final String STATE_TOPIC_MIN_ISR = "share.coordinator.state.topic.min.isr";
    public static final String STATE_TOPIC_SEGMENT_BYTES = "share.coordinator.state.topic.segment.bytes";
    public static final String UPDATE_RECORDS_PER_SNAPSHOT = "share.coordinator.snapshot.update.records.per.snapshot";

    public static final ConfigDef DEF = new ConfigDef()
            .define(STATE_TOPIC_PARTITIONS, Type.INT, 50, atLeast(1), HIGH,
                    "Partitions of __share_group_state; a share-partition's state lives in"
                            + " abs(hash(groupId:topicId:partition)) % this. Do not change after the topic exists.")
            .define(STATE_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, atLeast(1), HIGH,
                    "Replication factor of __share_group_state; the topic is not created until this many brokers"
                            + " are available.")
            .define(STATE_TOPIC_MIN_ISR, Type.SHORT, (short) 2, atLeast(1), HIGH,
                    "min.insync.replicas of __share_group_state.")
            .define(STATE_TOPIC_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, atLeast(1), HIGH,
                    "Segment size of __share_group_state.")
            .define(UPDATE_RECORDS_PER_SNAPSHOT, Type.INT, 500, atLeast(0), MEDIUM,
                    "How many ShareUpdate records of a share-partition follow its ShareSnapshot before the next"
                            + " write is a whole snapshot again.");

    /** Validates the properties defined in {@link #DEF} among {@code props}; others are ignored. */
    public static ShareCoordinatorConfig from(Map<String, String> props) {
        Map<String, String> ours = new HashMap<>();
        for (String name : DEF.names()) {
            if (props.containsKey(name)) {
                ours.put(name, props.get(name));
            }
        }
        AbstractConfig values = new AbstractConfig(DEF, ours, false);
        return new ShareCoordinatorConfig(values.getInt(STATE_TOPIC_PARTITIONS),
                values.getShort(STATE_TOPIC_REPLICATION_FACTOR), values.getShort(STATE_TOPIC_MIN_ISR),
                values.getInt(STATE_TOPIC_SEGMENT_BYTES), values.getInt(UPDATE_RECORDS_PER_SNAPSHOT));
    }

    public static ShareCoordinatorConfig defaults() {
        return from(Map.of());
    }
}
