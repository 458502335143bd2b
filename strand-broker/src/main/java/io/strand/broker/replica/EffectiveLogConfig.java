package io.strand.broker.replica;

import io.strand.storage.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A partition's effective topic configuration as its log and its leader use it: the parsed
 * {@link LogConfig} the log runs with, and {@code min.insync.replicas}, which an acks=all append
 * checks against the ISR. Built once per change of the topic's config or of the broker defaults under
 * it, never per request. Immutable.
 *
 * @param log               the log's configuration
 * @param minInsyncReplicas replicas the ISR must hold for an acks=all append
 */
public record EffectiveLogConfig(LogConfig log, int minInsyncReplicas) {

    /** From a topic's effective, parsed config (topic config name → typed value). */
    public static EffectiveLogConfig from(Map<String, Object> effectiveTopicConfig) {
        return new EffectiveLogConfig(LogConfig.from(effectiveTopicConfig),
                (Integer) effectiveTopicConfig.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
    }
}
