package io.strand.testkit;

import io.strand.common.test.FreePorts;

/**
 * Picks free loopback ports for listeners that must be named up front (the quorum's voters): below the
 * kernel's ephemeral range, so that no outgoing connection takes one first ({@link FreePorts}).
 */
final class TestPorts {

    private TestPorts() {
    }

    static int freePort() {
        return FreePorts.reserve();
    }
}
