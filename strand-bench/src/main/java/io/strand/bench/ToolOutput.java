package io.strand.bench;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the summary lines that kafka-tools 4.3.1's load generators print. Examples of what is parsed:
 *
 * <pre>
 * ProducerPerformance (the last whole-run line; "N steady state records sent" lines are ignored).
 * N counts the sends the broker acknowledged: a failed send prints its stack trace and is not
 * counted, so N can be below --num-records while the tool still exits 0.
 *   500000 records sent, 245821.042281 records/sec (23.44 MB/sec), 812.34 ms avg latency,
 *   1403.00 ms max latency, 851 ms 50th, 1302 ms 95th, 1374 ms 99th, 1398 ms 99.9th.
 * EndToEndLatency:
 *   Avg latency: 1.2345 ms
 *   Percentiles: 50th = 1, 99th = 3, 99.9th = 8
 * ConsumerPerformance (a header line, then one line of values; a line "WARNING: Exiting before
 * consuming the expected number of messages ..." and log lines may come between them):
 *   start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 *   rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 *   2026-11-23 15:41:20:123, 2026-11-23 15:41:22:456, 47.6837, 20.4388, 500000, 214316.3309, 312, 2021, 23.5941, 247402.2761
 * </pre>
 *
 * <p>Both tools' "MB" are mebibytes (bytes / 1024 / 1024).
 *
 * <p>Stateless and thread-safe. Numbers are read in the root locale (the tools run with
 * {@code -Duser.language=en}).
 */
final class ToolOutput {

    /** One ProducerPerformance run; latencies are per send, in milliseconds. */
    record ProducerResult(long records, double recordsPerSec, double mbPerSec, double avgLatencyMs,
            double maxLatencyMs, double p50LatencyMs, double p95LatencyMs, double p99LatencyMs,
            double p999LatencyMs) {
    }

    /** One EndToEndLatency run: produce-to-consume time per record, in milliseconds. */
    record LatencyResult(double avgLatencyMs, double p50LatencyMs, double p99LatencyMs, double p999LatencyMs) {
    }

    /**
     * One ConsumerPerformance run, over the whole run including the group join; {@code records} is
     * how many it read ({@code data.consumed.in.nMsg}); {@code fetchMbPerSec} ({@code fetch.MB.sec}) is
     * over the time spent fetching only, the group join ({@code rebalance.time.ms}) left out.
     */
    record ConsumerResult(long records, double mbPerSec, double recordsPerSec, double fetchMbPerSec) {
    }

    private static final String NUMBER = "([0-9]+(?:\\.[0-9]+)?)";
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile("^([0-9]+) records sent, " + NUMBER
            + " records/sec \\(" + NUMBER + " MB/sec\\), " + NUMBER + " ms avg latency, " + NUMBER
            + " ms max latency, ([0-9]+) ms 50th, ([0-9]+) ms 95th, ([0-9]+) ms 99th, ([0-9]+) ms 99\\.9th",
            Pattern.MULTILINE);
    private static final Pattern LATENCY_AVG = Pattern.compile("^Avg latency: " + NUMBER + " ms", Pattern.MULTILINE);
    private static final Pattern LATENCY_PERCENTILES = Pattern.compile(
            "^Percentiles: 50th = ([0-9]+), 99th = ([0-9]+), 99\\.9th = ([0-9]+)", Pattern.MULTILINE);
    private static final String CONSUMER_HEADER_START = "start.time, end.time, data.consumed.in.MB, MB.sec";
    private static final int CONSUMER_FIELDS = 10;
    private static final int CONSUMER_MB_PER_SEC_FIELD = 3;
    private static final int CONSUMER_RECORDS_FIELD = 4;
    private static final int CONSUMER_RECORDS_PER_SEC_FIELD = 5;
    private static final int CONSUMER_FETCH_MB_PER_SEC_FIELD = 8;

    private ToolOutput() {
    }

    static Optional<ProducerResult> parseProducer(String output) {
        Matcher matcher = PRODUCER_SUMMARY.matcher(output);
        ProducerResult last = null;
        while (matcher.find()) {
            last = new ProducerResult(Long.parseLong(matcher.group(1)), number(matcher, 2), number(matcher, 3),
                    number(matcher, 4), number(matcher, 5), number(matcher, 6), number(matcher, 7),
                    number(matcher, 8), number(matcher, 9));
        }
        return Optional.ofNullable(last);
    }

    static Optional<LatencyResult> parseLatency(String output) {
        Matcher avg = LATENCY_AVG.matcher(output);
        Matcher percentiles = LATENCY_PERCENTILES.matcher(output);
        if (!avg.find() || !percentiles.find()) {
            return Optional.empty();
        }
        return Optional.of(new LatencyResult(number(avg, 1), number(percentiles, 1), number(percentiles, 2),
                number(percentiles, 3)));
    }

    /** The first line of ten values after the header; lines in between (warnings, logs) are skipped. */
    static Optional<ConsumerResult> parseConsumer(String output) {
        String[] lines = output.split("\\R");
        int header = 0;
        while (header < lines.length && !lines[header].startsWith(CONSUMER_HEADER_START)) {
            header++;
        }
        for (int i = header + 1; i < lines.length; i++) {
            String[] fields = lines[i].split(",\\s*");
            if (fields.length != CONSUMER_FIELDS) {
                continue;
            }
            try {
                return Optional.of(new ConsumerResult(Long.parseLong(fields[CONSUMER_RECORDS_FIELD].trim()),
                        Double.parseDouble(fields[CONSUMER_MB_PER_SEC_FIELD]),
                        Double.parseDouble(fields[CONSUMER_RECORDS_PER_SEC_FIELD]),
                        Double.parseDouble(fields[CONSUMER_FETCH_MB_PER_SEC_FIELD])));
            } catch (NumberFormatException e) {
                // a log line with ten commas; the values line may still follow
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a client failed because the broker does not serve FIND_COORDINATOR (it answers
     * UNSUPPORTED_VERSION, or leaves the API out of ApiVersions): the broker has no consumer groups.
     */
    static boolean lacksConsumerGroups(String output) {
        return output.contains("FIND_COORDINATOR")
                && (output.contains("UnsupportedVersionException") || output.contains("UNSUPPORTED_VERSION"));
    }

    private static double number(Matcher matcher, int group) {
        return Double.parseDouble(matcher.group(group));
    }
}
