package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static final String PREFIX = "strandlt";
    private static final int SUBNET = 2;
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
