package io.strand.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ShareStateKeyTest {

    private static final String TOPIC_ID = "AAAAAF7tXu0AAAAAXu1e7Q";

    @Test
    void aKeyIsGroupTopicIdAndPartition() {
        assertThat(ShareStateKey.parse("g:" + TOPIC_ID + ":0"))
                .contains(new ShareStateKey("g", Uuid.fromString(TOPIC_ID), 0));
        assertThat(ShareStateKey.parse("a:b:" + TOPIC_ID + ":12")).as("the group id may hold colons")
                .contains(new ShareStateKey("a:b", Uuid.fromString(TOPIC_ID), 12));
        ShareStateKey key = new ShareStateKey("g", Uuid.fromString(TOPIC_ID), 3);
        assertThat(ShareStateKey.parse(key.coordinatorKey())).contains(key);
    }

    @Test
    void anythingElseIsRefused() {
        for (String key : new String[] {"", "g", "g:" + TOPIC_ID, "g:" + TOPIC_ID + ":", " :" + TOPIC_ID + ":0",
            ":" + TOPIC_ID + ":0", "g:not-a-uuid:0", "g:" + TOPIC_ID + ":x", "g:" + TOPIC_ID + ":-1"}) {
            assertThat(ShareStateKey.parse(key)).as(key).isEmpty();
        }
        assertThat(ShareStateKey.parse(null)).isEmpty();
    }
}
