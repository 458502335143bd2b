package io.strand.broker;

import io.strand.common.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** The metadata quorum's voters from {@code controller.quorum.voters}: node id → raft address. */
final class Voters {

    private Voters() {
    }

    static Map<Integer, InetSocketAddress> addresses(BrokerConfig config) {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (BrokerConfig.QuorumVoter voter : config.quorumVoters()) {
            voters.put(voter.id(), new InetSocketAddress(voter.host(), voter.port()));
        }
        return voters;
    }
}
