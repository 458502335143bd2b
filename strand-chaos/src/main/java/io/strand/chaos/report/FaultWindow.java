package io.strand.chaos.report;

/**
 * One fault as it ran: its kind (the name a schedule draws, e.g. {@code kill9}), what it did, and
 * its window in wall-clock epoch milliseconds, from just before it was injected to just after it was
 * undone (healed, restarted and serving, resumed).
 */
public record FaultWindow(String kind, String description, long startMs, long endMs) {
}
