package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link NetworkLab} promises, checked with TCP connections between namespaces: nodes reach each
 * other and the root namespace, a drop cuts exactly the pair it names, a heal restores it, a lab left
 * behind by a crash is replaced, and close leaves no namespace or link behind.
 */
class NetworkLabIT {

    private static final String PREFIX = System.getProperty("chaos.lab.prefix", "strandlt");
    private static final int SUBNET = Integer.getInteger("chaos.lab.subnet", 2);
    private static final int PORT = 7000;

    @Test
    void dropCutsOnePairUntilHealed() throws Exception {
        FaultScheduleIT.requireLab(PREFIX);
        try (NetworkLab lab = NetworkLab.create(PREFIX, SUBNET, 3)) {
            Process listener = listen(lab, 2);
            try {
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2").isTrue();
                assertThat(connects(List.of(), lab.address(2))).as("the root namespace to node 2").isTrue();

                lab.drop(1, 2);
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2, cut").isFalse();
                assertThat(connects(lab.execPrefix(3), lab.address(2))).as("node 3 to node 2").isTrue();
                assertThat(connects(List.of(), lab.address(2))).as("the root namespace to node 2").isTrue();

                lab.healAll();
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2, healed").isTrue();
            } finally {
                listener.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(leftovers()).as("namespaces and links after close").isEmpty();
    }

    @Test
    void packetFaultsAreInPlaceUntilStopped() throws Exception {
        FaultScheduleIT.requireLab(PREFIX);
        try (NetworkLab lab = NetworkLab.create(PREFIX, SUBNET, 3)) {
            Nemesis nemesis = new Nemesis(lab, null);
            Process listener = listen(lab, 2);
            try {
                Nemesis.Fault total = nemesis.loss(1, 2, 100);
                total.start();
                assertThat(lab.rules(2)).contains("ip saddr " + lab.address(1), "numgen random mod 100 <= 99", "drop");
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2, all lost").isFalse();
                assertThat(connects(lab.execPrefix(3), lab.address(2))).as("node 3 to node 2").isTrue();
                total.stop();
                assertThat(lab.rules(2)).doesNotContain("numgen");
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2, healed").isTrue();

                Nemesis.Fault lossy = nemesis.lossy(2, 30);
                lossy.start();
                assertThat(lab.rules(2)).contains("ip saddr " + lab.address(1), "ip saddr " + lab.address(3),
                        "numgen random mod 100 <= 29");
                assertThat(lab.rules(1)).contains("ip saddr " + lab.address(2), "numgen random mod 100 <= 29");
                lossy.stop();
                for (int node = 1; node <= 3; node++) {
                    assertThat(lab.rules(node)).as("node %d's rules after the heal", node).doesNotContain("numgen");
                }

                Nemesis.Fault slow = nemesis.slowLink(2, 64);
                slow.start();
                assertThat(lab.qdisc(2)).contains("tbf", "rate 64Kbit");
                assertThat(lab.qdisc(1)).doesNotContain("tbf");
                slow.stop();
                assertThat(lab.qdisc(2)).doesNotContain("tbf");
                assertThat(connects(lab.execPrefix(1), lab.address(2))).as("node 1 to node 2, healed").isTrue();

                Nemesis.Fault delay = nemesis.delay(2, 100);
                String missing = lab.netemUnavailableBecause();
                assertThat(delay.unavailableBecause()).isEqualTo(missing);
                assertThat(nemesis.reorder(2, 50).unavailableBecause()).isEqualTo(missing);
                if (missing == null) {
                    assertThat(nemesis.available(delay)).isTrue();
                    delay.start();
                    assertThat(lab.qdisc(2)).contains("netem", "delay");
                    delay.stop();
                    assertThat(lab.qdisc(2)).doesNotContain("netem");
                } else {
                    assertThatThrownBy(delay::start).isInstanceOf(IllegalStateException.class).hasMessageContaining(missing);
                    assertThat(nemesis.available(delay)).isFalse();
                    assertThat(nemesis.history()).anyMatch(line -> line.contains("skip: delay what node 2 sends")
                            && line.contains(missing));
                    assertThat(lab.qdisc(2)).doesNotContain("netem");
                }
            } finally {
                listener.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(nemesis.history()).anyMatch(line -> line.contains("start: drop 100% of what node 1 sends node 2"));
        }
        assertThat(leftovers()).as("namespaces and links after close").isEmpty();
    }

    @Test
    void aLabLeftBehindIsReplaced() throws Exception {
        FaultScheduleIT.requireLab(PREFIX);
        NetworkLab crashed = NetworkLab.create(PREFIX, SUBNET, 2); // never closed, as after a crash
        assertThat(leftovers()).isNotEmpty();
        try (NetworkLab lab = NetworkLab.create(PREFIX, SUBNET, 2)) {
            assertThat(run(List.of("ip", "netns", "list"))).contains(lab.namespace(1), lab.namespace(2));
        }
        assertThat(leftovers()).as("namespaces and links after close").isEmpty();
        crashed.close(); // nothing of it is left: a no-op
    }

    /** A TCP listener on {@code PORT} in node {@code node}'s namespace. */
    private static Process listen(NetworkLab lab, int node) throws Exception {
        List<String> command = new ArrayList<>(lab.execPrefix(node));
        command.addAll(List.of("/usr/bin/python3", "-c", "import socket, sys, time\n"
                + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "s.bind(('0.0.0.0', " + PORT + ")); s.listen(64); print('listening', flush=True)\n"
                + "time.sleep(600)\n"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String first = new String(process.getInputStream().readNBytes("listening".length()), StandardCharsets.UTF_8);
        assertThat(first).as("the listener in node %d's namespace", node).isEqualTo("listening");
        return process;
    }

    /**
     * Whether a TCP connection to {@code address}:{@code PORT} opens within two seconds, from the
     * namespace the command {@code prefix} runs in (the root one when it is empty).
     */
    private static boolean connects(List<String> prefix, String address) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + PORT));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() == 0;
    }

    /** The namespaces and links named with the prefix. */
    private static List<String> leftovers() throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (String line : (run(List.of("ip", "netns", "list")) + "\n" + run(List.of("ip", "-o", "link", "show")))
                .split("\n")) {
            if (line.contains(PREFIX + "-")) {
                found.add(line.strip());
            }
        }
        return found;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
