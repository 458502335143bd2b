package io.strand.broker.api.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.share.SharePartition;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ShareAcksTest {

    @Test
    void acknowledgementBatchesAreCheckedAsKafkasBrokerChecksThem() {
        assertThat(check((short) 1, false, batch(0, 1, 1), batch(2, 4, 3, 0, 2))).isEqualTo(Errors.NONE);
        assertThat(check((short) 1, false, batch(1, 1, 1), batch(1, 1, 1)))
                .as("starting at the previous batch's last offset is let through, as Kafka does").isEqualTo(Errors.NONE);
        assertThat(check((short) 1, false, batch(2, 1, 1))).as("first past last").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 1, false, batch(7, 7, 1), batch(0, 0, 1))).as("out of order")
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 1, false, batch(0, 0))).as("no types").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 1, false, batch(0, 2, 1, 1))).as("not one type per offset")
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 1, false, batch(0, 0, 4))).as("RENEW before v2").isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 2, false, batch(0, 0, 4))).as("RENEW outside a renewal")
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 2, true, batch(0, 0, 4))).isEqualTo(Errors.NONE);
        assertThat(check((short) 2, true, batch(0, 0, 5))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(check((short) 1, false, batch(0, 0, -1))).isEqualTo(Errors.INVALID_REQUEST);
    }

    private static Errors check(short version, boolean renewAck, SharePartition.Acknowledgement... batches) {
        return ShareAcks.checkBatches(List.of(batches), version, renewAck);
    }

    private static SharePartition.Acknowledgement batch(long first, long last, int... types) {
        List<Byte> list = new java.util.ArrayList<>();
        for (int type : types) {
            list.add((byte) type);
        }
        return new SharePartition.Acknowledgement(first, last, list);
    }
}
