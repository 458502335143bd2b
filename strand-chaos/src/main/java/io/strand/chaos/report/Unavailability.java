package io.strand.chaos.report;

import java.util.Arrays;

/**
 * How long clients went without acknowledgements around one fault, from the acknowledgement times of
 * every producer:
 *
 * <ul>
 *   <li>{@code longestGapMs}: the longest stretch without any acknowledgement that starts inside the
 *       fault's window: for each gap between consecutive acknowledgements that overlaps the window,
 *       from the later of the gap's start and the window's start to the next acknowledgement (to the
 *       run's end if none came); 0 if acknowledgements never paused inside the window.</li>
 *   <li>{@code recoveryMs}: from the window's end to the first acknowledgement at or after it; -1 if
 *       none came before the run's end.</li>
 * </ul>
 */
public record Unavailability(long longestGapMs, long recoveryMs) {

    /** {@code ackTimesMs} sorted ascending; {@code runEndMs} closes a gap no acknowledgement ended. */
    public static Unavailability of(long[] ackTimesMs, FaultWindow window, long runEndMs) {
        int first = firstAtOrAfter(ackTimesMs, window.startMs());
        long longest = 0;
        long stretchStartMs = window.startMs();
        for (int i = first; i <= ackTimesMs.length; i++) {
            long nextMs = i < ackTimesMs.length ? ackTimesMs[i] : runEndMs;
            if (stretchStartMs > window.endMs()) {
                break;
            }
            longest = Math.max(longest, nextMs - stretchStartMs);
            stretchStartMs = nextMs;
        }
        int recovered = firstAtOrAfter(ackTimesMs, window.endMs());
        long recovery = recovered < ackTimesMs.length ? ackTimesMs[recovered] - window.endMs() : -1;
        return new Unavailability(longest, recovery);
    }

    private static int firstAtOrAfter(long[] sorted, long timeMs) {
        int index = Arrays.binarySearch(sorted, timeMs);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sorted[index - 1] == timeMs) {
            index--;
        }
        return index;
    }
}
