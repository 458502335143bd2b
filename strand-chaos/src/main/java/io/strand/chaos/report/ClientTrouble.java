package io.strand.chaos.report;

import java.util.List;

/**
 * What the clients did on their own during a run that is no anomaly of the system under test but
 * changes what the history can show: producer epochs the clients bumped (librdkafka renumbers every
 * record it still holds, so a record already written may be written again, see
 * {@code Anomaly.Kind.RESENT}), and producers that ended before they were stopped (their sends left
 * unknown), each with its last words.
 */
public record ClientTrouble(int epochBumps, List<String> endedEarly) {

    public static final ClientTrouble NONE = new ClientTrouble(0, List.of());

    public ClientTrouble {
        endedEarly = List.copyOf(endedEarly);
    }

    /** Both counts in one phrase, for a report line or a table cell. */
    public String describe() {
        return epochBumps + " epoch bump" + (epochBumps == 1 ? "" : "s") + ", " + endedEarly.size()
                + " producer" + (endedEarly.size() == 1 ? "" : "s") + " ended early";
    }
}
