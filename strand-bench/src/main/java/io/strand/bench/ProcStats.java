package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and CPU time of a process, read from Linux {@code /proc}.
 *
 * <p>{@code /proc/<pid>/status} carries a line {@code VmRSS:   123456 kB} (kibibytes).
 * {@code /proc/<pid>/stat} is one line {@code pid (comm) state ppid ...}; counting from 1, field
 * {@value #UTIME_FIELD} is {@code utime} and field {@value #STIME_FIELD} {@code stime}, both in clock
 * ticks ({@code getconf CLK_TCK}, 100 on every Linux the harness targets); fields {@value #CUTIME_FIELD}
 * and {@value #CSTIME_FIELD} ({@code cutime}, {@code cstime}) add up the same of every child the process
 * has waited for, all its threads included. {@code comm} may hold spaces
 * and parentheses, so fields are counted after the last {@code ')'}, which closes field 2.
 *
 * <p>{@code /proc/<pid>/maps} lists one mapping a line, a file-backed one ending in the file's path:
 * a JVM that uses a class-data archive maps it ({@code ... rw-p 00001000 fe:00 2150956  /x/strand.jsa}).
 *
 * <p>Stateless and thread-safe. A process that has exited makes the readers throw
 * {@link UncheckedIOException}.
 */
final class ProcStats {

    /** 1-based position of {@code utime} in {@code /proc/<pid>/stat}. */
    static final int UTIME_FIELD = 14;
    /** 1-based position of {@code stime} in {@code /proc/<pid>/stat}. */
    static final int STIME_FIELD = 15;
    /** 1-based position of {@code cutime}: user time of the children waited for. */
    static final int CUTIME_FIELD = 16;
    /** 1-based position of {@code cstime}: system time of the children waited for. */
    static final int CSTIME_FIELD = 17;
    /** Fields after {@code comm} start at this 1-based position ({@code state}). */
    private static final int FIRST_FIELD_AFTER_COMM = 3;
    /** USER_HZ of Linux on x86-64 and arm64; {@code /proc} reports CPU times in these ticks. */
    static final long TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** Resident set size of {@code pid} in bytes. */
    static long residentBytes(long pid) {
        return parseResidentBytes(read(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** User plus system CPU time {@code pid} has used so far, in seconds. */
    static double cpuSeconds(long pid) {
        return (double) parseCpuTicks(read(Path.of("/proc", Long.toString(pid), "stat"))) / TICKS_PER_SECOND;
    }

    /**
     * User plus system CPU time of every child this JVM has waited for so far, in seconds: read before a
     * child starts and after {@link Process#waitFor} returns, the difference is that child's whole CPU time
     * (every thread, to its last tick), provided no other child of this JVM ended in between.
     */
    static double childrenCpuSeconds() {
        return (double) parseChildrenCpuTicks(read(Path.of("/proc/self/stat"))) / TICKS_PER_SECOND;
    }

    /** Whether {@code pid} has {@code file} mapped, e.g. a class-data archive its JVM uses. */
    static boolean mapsFile(long pid, Path file) {
        return parseMapsFile(read(Path.of("/proc", Long.toString(pid), "maps")), file);
    }

    /** Whether a {@code /proc/<pid>/maps} text has a mapping of {@code file} (an absolute path). */
    static boolean parseMapsFile(String mapsText, Path file) {
        String path = file.toAbsolutePath().normalize().toString();
        return mapsText.lines().anyMatch(line -> line.endsWith(" " + path));
    }

    /** The {@code VmRSS} of a {@code /proc/<pid>/status} text, in bytes. */
    static long parseResidentBytes(String statusText) {
        for (String line : statusText.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected VmRSS line=" + line);
                }
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IllegalArgumentException("no VmRSS line in status text");
    }

    /** {@code utime + stime} of a {@code /proc/<pid>/stat} text, in clock ticks. */
    static long parseCpuTicks(String statText) {
        return sumOfFields(statText, UTIME_FIELD, STIME_FIELD);
    }

    /** {@code cutime + cstime} of a {@code /proc/<pid>/stat} text, in clock ticks. */
    static long parseChildrenCpuTicks(String statText) {
        return sumOfFields(statText, CUTIME_FIELD, CSTIME_FIELD);
    }

    /** The sum of two numeric fields (1-based positions, both after {@code comm}) of a stat text. */
    private static long sumOfFields(String statText, int firstField, int secondField) {
        int commEnd = statText.lastIndexOf(')');
        if (commEnd < 0) {
            throw new IllegalArgumentException("no comm field in stat text=" + statText);
        }
        String[] fields = statText.substring(commEnd + 1).trim().split("\\s+");
        int firstIndex = firstField - FIRST_FIELD_AFTER_COMM;
        int secondIndex = secondField - FIRST_FIELD_AFTER_COMM;
        if (fields.length <= Math.max(firstIndex, secondIndex)) {
            throw new IllegalArgumentException("stat text has " + (fields.length + 2) + " fields, expected at least "
                    + Math.max(firstField, secondField));
        }
        return Long.parseLong(fields[firstIndex]) + Long.parseLong(fields[secondIndex]);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read file=" + file, e);
        }
    }
}
