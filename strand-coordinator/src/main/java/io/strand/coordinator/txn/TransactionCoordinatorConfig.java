package io.strand.coordinator.txn;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The transaction coordinator's settings, under Kafka's property names and with Kafka's defaults,
 * each defined once in {@link #DEF}. Built from a node's properties with {@link #from}, which reads
 * only the names defined here. Immutable.
 *
 * @param stateLogPartitions            {@code transaction.state.log.num.partitions}: a transactional id
 *                                      lives in partition {@code abs(hash(id)) % this}
 * @param stateLogReplicationFactor     {@code transaction.state.log.replication.factor}
 * @param stateLogSegmentBytes          {@code transaction.state.log.segment.bytes}
 * @param stateLogMinIsr                {@code transaction.state.log.min.isr}
 * @param maxTimeoutMs                  {@code transaction.max.timeout.ms}: larger client time-outs get
 *                                      INVALID_TRANSACTION_TIMEOUT
 * @param transactionalIdExpirationMs   {@code transactional.id.expiration.ms}: an id idle this long in
 *                                      Empty, CompleteCommit or CompleteAbort is removed
 * @param abortTimedOutIntervalMs       {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}:
 *                                      how often transactions past their time-out are looked for
 * @param removeExpiredIntervalMs       {@code transaction.remove.expired.transaction.cleanup.interval.ms}:
 *                                      how often expired transactional ids are looked for
 */
public record TransactionCoordinatorConfig(int stateLogPartitions, short stateLogReplicationFactor,
                                           int stateLogSegmentBytes, int stateLogMinIsr, int maxTimeoutMs,
                                           long transactionalIdExpirationMs, long abortTimedOutIntervalMs,
                                           long removeExpiredIntervalMs) {

    public static final String STATE_LOG_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String STATE_LOG_SEGMENT_BYTES = "transaction.state.log.segment.bytes";
    public static final String STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String ABORT_TIMED_OUT_INTERVAL_MS =
            "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String REMOVE_EXPIRED_INTERVAL_MS = "transaction.remove.expired.transaction.cleanup.interval.ms";

    public static final ConfigDef DEF = new ConfigDef()
            .define(STATE_LOG_PARTITIONS, Type.INT, 50, atLeast(1), HIGH,
                    "Partitions of __transaction_state; a transactional id lives in abs(hash(id)) % this. Do not "
                            + "change after the topic exists.")
            .define(STATE_LOG_REPLICATION_FACTOR, Type.SHORT, (short) 3, atLeast(1), HIGH,
                    "Replication factor of __transaction_state; the topic is not created until this many brokers "
                            + "are available.")
            .define(STATE_LOG_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, atLeast(1), HIGH,
                    "Segment size of __transaction_state.")
            .define(STATE_LOG_MIN_ISR, Type.INT, 2, atLeast(1), HIGH,
                    "min.insync.replicas of __transaction_state.")
            .define(MAX_TIMEOUT_MS, Type.INT, 15 * 60 * 1000, atLeast(1), HIGH,
                    "Largest transaction time-out a client may ask for; InitProducerId with a larger one gets "
                            + "INVALID_TRANSACTION_TIMEOUT.")
            .define(TRANSACTIONAL_ID_EXPIRATION_MS, Type.INT, 7 * 24 * 60 * 60 * 1000, atLeast(1), HIGH,
                    "How long a transactional id without a transaction in progress is kept after its last update.")
            .define(ABORT_TIMED_OUT_INTERVAL_MS, Type.INT, 10_000, atLeast(1), LOW,
                    "How often transactions open longer than their time-out are looked for and aborted.")
            .define(REMOVE_EXPIRED_INTERVAL_MS, Type.INT, 60 * 60 * 1000, atLeast(1), LOW,
                    "How often expired transactional ids are looked for and removed.");

    /** Validates the properties defined in {@link #DEF} among {@code props}; others are ignored. */
    public static TransactionCoordinatorConfig from(Map<String, String> props) {
        Map<String, String> ours = new HashMap<>();
        for (String name : DEF.names()) {
            if (props.containsKey(name)) {
                ours.put(name, props.get(name));
            }
        }
        AbstractConfig values = new AbstractConfig(DEF, ours, false);
        return new TransactionCoordinatorConfig(values.getInt(STATE_LOG_PARTITIONS),
                values.getShort(STATE_LOG_REPLICATION_FACTOR), values.getInt(STATE_LOG_SEGMENT_BYTES),
                values.getInt(STATE_LOG_MIN_ISR), values.getInt(MAX_TIMEOUT_MS),
                values.getInt(TRANSACTIONAL_ID_EXPIRATION_MS), values.getInt(ABORT_TIMED_OUT_INTERVAL_MS),
                values.getInt(REMOVE_EXPIRED_INTERVAL_MS));
    }

    public static TransactionCoordinatorConfig defaults() {
        return from(Map.of());
    }

    /** Kafka's check of a client's time-out: positive and at most {@code transaction.max.timeout.ms}. */
    public boolean isValidTimeout(int transactionTimeoutMs) {
        return transactionTimeoutMs > 0 && transactionTimeoutMs <= maxTimeoutMs;
    }
}
