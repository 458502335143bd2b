package io.strand.metadata.controller;

/**
 * The controller's settings for broker sessions and leader elections, with Kafka's names.
 *
 * @param brokerSessionTimeoutMs        {@code broker.session.timeout.ms}: a broker with a session
 *                                      silent for longer is fenced (default 9000)
 * @param uncleanLeaderElectionEnable   {@code unclean.leader.election.enable}, the cluster default
 *                                      a topic override or a dynamic cluster-wide broker config
 *                                      replaces (default false)
 * @param autoLeaderRebalanceEnable     {@code auto.leader.rebalance.enable}: periodically move
 *                                      leaderships back to preferred replicas (default false here;
 *                                      Kafka's default is true)
 * @param leaderImbalanceCheckIntervalMs {@code leader.imbalance.check.interval.seconds} in ms: how
 *                                      often that runs (default 300000)
 */
public record ClusterControlSettings(long brokerSessionTimeoutMs, boolean uncleanLeaderElectionEnable,
                                     boolean autoLeaderRebalanceEnable, long leaderImbalanceCheckIntervalMs) {

    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";

    public static final ClusterControlSettings DEFAULTS = new ClusterControlSettings(9_000, false, false, 300_000);

    public ClusterControlSettings {
        if (brokerSessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("Invalid " + BROKER_SESSION_TIMEOUT_MS + ": " + brokerSessionTimeoutMs);
        }
        if (leaderImbalanceCheckIntervalMs <= 0) {
            throw new IllegalArgumentException("Invalid " + LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS + " (in ms): "
                    + leaderImbalanceCheckIntervalMs);
        }
    }

    public ClusterControlSettings withBrokerSessionTimeoutMs(long timeoutMs) {
        return new ClusterControlSettings(timeoutMs, uncleanLeaderElectionEnable, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs);
    }

    public ClusterControlSettings withUncleanLeaderElectionEnable(boolean enable) {
        return new ClusterControlSettings(brokerSessionTimeoutMs, enable, autoLeaderRebalanceEnable,
                leaderImbalanceCheckIntervalMs);
    }

    public ClusterControlSettings withAutoLeaderRebalance(boolean enable, long checkIntervalMs) {
        return new ClusterControlSettings(brokerSessionTimeoutMs, uncleanLeaderElectionEnable, enable,
                checkIntervalMs);
    }
}
