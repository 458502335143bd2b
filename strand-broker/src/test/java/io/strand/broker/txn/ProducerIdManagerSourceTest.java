package io.strand.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.producer.ProducerIdManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.junit.jupiter.api.Test;

class ProducerIdManagerSourceTest {

    @Test
    void aCallBeforeTheFirstBlockFailsRetriablyAndTakesNoId() {
        CompletableFuture<Long> block = new CompletableFuture<>();
        ProducerIdManagerSource source = new ProducerIdManagerSource(new ProducerIdManager(size -> block));
        assertThatThrownBy(source::nextProducerId).isInstanceOf(CoordinatorLoadInProgressException.class);
        block.complete(0L);
        // As Kafka: the failed call took no id, so the retry gets the block's first.
        assertThat(source.nextProducerId()).isZero();
        assertThat(source.nextProducerId()).isEqualTo(1L);
    }
}
