package io.strand.chaos.workload;

import io.strand.chaos.history.ConsumerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer alone: it assigns itself every partition of the topic, reads each from offset 0 and
 * logs every record (one ASSIGNED at position 0 per partition, then READs); it never commits.
 */
public final class LoneConsumerWorkload extends ConsumerWorkload {

    private final KafkaConsumer<String, String> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    private LoneConsumerWorkload(String name, String bootstrap, String topic, int partitionCount,
                                 Map<String, Object> overrides) {
        super(name, null);
        Map<String, Object> own = new HashMap<>(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        own.putAll(overrides);
        this.consumer = consumer(bootstrap, name, own);
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
    }

    public static LoneConsumerWorkload start(String name, String bootstrap, String topic, int partitionCount) {
        return start(name, bootstrap, topic, partitionCount, Map.of());
    }

    /** As {@link #start(String, String, String, int)}, with {@code overrides} over the client settings. */
    public static LoneConsumerWorkload start(String name, String bootstrap, String topic, int partitionCount,
                                             Map<String, Object> overrides) {
        LoneConsumerWorkload workload = new LoneConsumerWorkload(name, bootstrap, topic, partitionCount, overrides);
        workload.startThread();
        return workload;
    }

    @Override
    protected void consume() {
        try (consumer) {
            consumer.assign(partitions);
            long nowMs = System.currentTimeMillis();
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, 0);
                log(ConsumerEvent.assigned(name, null, tp.partition(), 0, nowMs));
            }
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    log(ConsumerEvent.read(name, null, record.partition(), record.offset(), record.value(),
                            System.currentTimeMillis()));
                }
            }
        }
    }
}
