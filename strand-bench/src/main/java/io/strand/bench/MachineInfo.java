package io.strand.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine a benchmark ran on, recorded with its results: cores, memory, CPU model, JDK, kernel,
 * and the load average when it started (other work on the machine skews every figure).
 */
record MachineInfo(int cores, long memoryBytes, String cpuModel, String jdk, String os, String loadAverage) {

    /** Reads this machine ({@code /proc/meminfo}, {@code /proc/cpuinfo}, {@code /proc/loadavg}). */
    static MachineInfo current() {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(),
                parseMemTotalBytes(readOrEmpty(Path.of("/proc/meminfo"))),
                parseCpuModel(readOrEmpty(Path.of("/proc/cpuinfo"))),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                firstFields(readOrEmpty(Path.of("/proc/loadavg")), 3));
    }

    /** {@code MemTotal:  24683148 kB} in bytes; 0 when absent. */
    static long parseMemTotalBytes(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return 0;
    }

    /** The first {@code model name : ...} of {@code /proc/cpuinfo}; "unknown" when absent. */
    static String parseCpuModel(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("model name")) {
                int colon = line.indexOf(':');
                return colon < 0 ? "unknown" : line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    private static String firstFields(String text, int count) {
        String[] fields = text.trim().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(fields, Math.min(count, fields.length)));
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
