package io.strand.common.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimNetworkTest {

    private final EventScheduler scheduler = new EventScheduler(new ManualTime(0));

    @Test
    void losesDelaysAndReordersTheSameWayForTheSameSeed() {
        assertThat(run(42)).isEqualTo(run(42));
        assertThat(run(42)).isNotEqualTo(run(43));
        List<String> received = run(42);
        assertThat(received.size()).isBetween(1, 199);
        assertThat(received).isNotEqualTo(received.stream().sorted().toList());
    }

    @Test
    void aDownNodeNeitherSendsNorReceives() {
        SimNetwork<String> network = new SimNetwork<>(scheduler, new Random(1), SimNetwork.Faults.NONE);
        List<String> received = new ArrayList<>();
        network.register(1, e -> received.add(e.message()));
        network.register(2, e -> received.add(e.message()));
        network.send(1, 2, "sent-before-down");
        network.setUp(2, false);
        network.send(2, 1, "from-down");
        scheduler.runUntil(10);
        network.setUp(2, true);
        network.send(1, 2, "after-up");
        scheduler.runUntil(20);

        assertThat(received).containsExactly("after-up");
        assertThat(network.lost()).isEqualTo(2);
    }

    /** 200 numbered messages from node 1 to node 2 over a lossy network; what node 2 got, in order. */
    private static List<String> run(long seed) {
        EventScheduler scheduler = new EventScheduler(new ManualTime(0));
        SimNetwork<String> network = new SimNetwork<>(scheduler, new Random(seed), new SimNetwork.Faults(0.2, 1, 50));
        List<String> received = new ArrayList<>();
        network.register(1, e -> { });
        network.register(2, e -> received.add(e.message()));
        for (int i = 0; i < 200; i++) {
            network.send(1, 2, String.format("%03d", i));
        }
        scheduler.runUntil(1_000);
        return received;
    }
}
