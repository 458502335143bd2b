package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class RequestLaneTest {

    /** The pool, run by hand. */
    private final ArrayDeque<Runnable> pool = new ArrayDeque<>();

    @Test
    void runsItsTasksInOrderWithOneTurnOnThePoolAtATime() {
        RequestLane lane = new RequestLane(pool::add);
        List<Integer> ran = new ArrayList<>();
        assertThat(lane.isIdle()).isTrue();
        for (int i = 0; i < 3; i++) {
            int task = i;
            lane.submit(() -> ran.add(task));
        }
        assertThat(pool).hasSize(1);
        assertThat(lane.isIdle()).isFalse();

        pool.poll().run();
        assertThat(ran).containsExactly(0, 1, 2);
        assertThat(lane.isIdle()).isTrue();
        assertThat(pool).isEmpty();
    }

    @Test
    void givesOtherLanesATurnAfterABatch() {
        RequestLane busy = new RequestLane(pool::add);
        RequestLane other = new RequestLane(pool::add);
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < RequestLane.MAX_TASKS_PER_TURN + 2; i++) {
            busy.submit(() -> ran.add("busy"));
        }
        other.submit(() -> ran.add("other"));

        pool.poll().run();
        assertThat(ran).hasSize(RequestLane.MAX_TASKS_PER_TURN).containsOnly("busy");
        pool.poll().run();
        assertThat(ran).endsWith("other");
        pool.poll().run();
        assertThat(ran).hasSize(RequestLane.MAX_TASKS_PER_TURN + 3).endsWith("busy", "busy");
        assertThat(pool).isEmpty();
        assertThat(busy.isIdle()).isTrue();
    }

    @Test
    void aClosedPoolRefusesTheTaskAndLeavesTheLaneIdle() {
        RequestLane lane = new RequestLane(task -> {
            throw new RejectedExecutionException("closed");
        });
        assertThatThrownBy(() -> lane.submit(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(lane.isIdle()).isTrue();
    }
}
