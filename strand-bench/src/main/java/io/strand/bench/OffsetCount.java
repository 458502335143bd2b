package io.strand.bench;

import java.util.OptionalLong;

/**
 * Counts the records kcat reports reading when it prints one offset a line ({@code -f '%o\n'}): the
 * lines, the first offset, and how often an offset does not follow the one before it. Fed the bytes of
 * kcat's standard output in whatever chunks the pipe gives (a line may be split between two).
 *
 * <p>A read of one partition from its beginning that saw every record exactly once has
 * {@link #breaks()} 0 and {@link #firstOffset()} the partition's log start (0 on a fresh topic), so
 * {@link #records()} is then the count of distinct records read. A line that is not a decimal offset is
 * counted in {@link #malformedLines()}, not as a record.
 *
 * <p>Not thread-safe: one reader thread feeds it; others read it after joining that thread.
 */
final class OffsetCount {

    private long records;
    private long firstOffset = -1;
    private long previousOffset = -1;
    private long breaks;
    private long malformedLines;
    /** The line being read: its value so far, whether it has a digit, whether it is still a number. */
    private long lineValue;
    private boolean lineHasDigit;
    private boolean lineMalformed;

    /** Reads {@code length} bytes of output; returns the records whose line ended in them. */
    long accept(byte[] bytes, int length) {
        long before = records;
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                endLine();
            } else if (b >= '0' && b <= '9' && !lineMalformed) {
                lineValue = lineValue * 10 + (b - '0');
                lineHasDigit = true;
            } else {
                lineMalformed = true;
            }
        }
        return records - before;
    }

    private void endLine() {
        if (lineMalformed || !lineHasDigit) {
            malformedLines++;
        } else {
            if (records == 0) {
                firstOffset = lineValue;
            } else if (lineValue != previousOffset + 1) {
                breaks++;
            }
            previousOffset = lineValue;
            records++;
        }
        lineValue = 0;
        lineHasDigit = false;
        lineMalformed = false;
    }

    /** Offset lines read, each one record. */
    long records() {
        return records;
    }

    /** The first offset read; empty before any. */
    OptionalLong firstOffset() {
        return records == 0 ? OptionalLong.empty() : OptionalLong.of(firstOffset);
    }

    /** Offsets that did not follow the one before them by exactly one. */
    long breaks() {
        return breaks;
    }

    /** Lines that were not an offset (an unfinished last line is not counted). */
    long malformedLines() {
        return malformedLines;
    }
}
