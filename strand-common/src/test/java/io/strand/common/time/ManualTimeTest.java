package io.strand.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class ManualTimeTest {

    @Test
    void movesOnlyWhenAdvancedOrSlept() {
        ManualTime time = new ManualTime(1_000L);
        assertThat(time.milliseconds()).isEqualTo(1_000L);
        assertThat(time.nanoseconds()).isEqualTo(1_000_000_000L);

        time.advance(5);
        time.sleep(10);

        assertThat(time.milliseconds()).isEqualTo(1_015L);
        assertThat(time.nanoseconds()).isEqualTo(1_015_000_000L);
        assertThat(new ManualTime().milliseconds()).isEqualTo(ManualTime.DEFAULT_START_MS);
    }

    @Test
    void waitObjectReturnsAtOnceWhenTheConditionHolds() throws InterruptedException {
        ManualTime time = new ManualTime(1_000L);

        time.waitObject(new Object(), () -> true, 5_000L);

        assertThat(time.milliseconds()).isEqualTo(1_000L);
    }

    @Test
    void waitObjectOnAFalseConditionEndsAtTheDeadlineWithATimeout() {
        ManualTime time = new ManualTime(1_000L);

        assertThatThrownBy(() -> time.waitObject(new Object(), () -> false, 5_000L))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("deadlineMs=5000");
        assertThat(time.milliseconds()).isEqualTo(5_000L);
    }
}
