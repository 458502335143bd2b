package io.strand.chaos.campaign;

import io.strand.chaos.Nemesis;
import java.util.function.IntUnaryOperator;

/**
 * What a {@link FaultKind} needs to make a fault: the nemesis of the run, the node count, and a way
 * to find, when the fault starts, the node leading a partition of the workload's topic.
 *
 * @param leaderOf partition to the node leading it now (a node when none is known)
 */
public record FaultContext(Nemesis nemesis, int nodes, int partitions, IntUnaryOperator leaderOf) {
}
