package io.strand.chaos.report;

import io.strand.chaos.history.Anomaly;
import io.strand.chaos.history.CheckResult;
import io.strand.chaos.history.ConsumerEvent;
import io.strand.chaos.history.History;
import io.strand.chaos.history.Send;
import io.strand.chaos.history.Transaction;
import io.strand.chaos.history.TransactionHistory;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One schedule's outcome: the history, what the checker found, the faults' windows and the
 * unavailability around each; written to a results directory as {@code report.md},
 * {@code report.json}, {@code timeline.png} and the raw history ({@code sends.tsv},
 * {@code consumer-events.tsv}, {@code final-read.tsv}; with the transactional workload also
 * {@code transactions.tsv}, {@code tx-consumer-events.tsv} and {@code tx-final-read.tsv}), and summed up in
 * a one-line verdict.
 *
 * @param system  {@code strand} or {@code kafka}
 * @param startMs when the workloads started (epoch ms)
 * @param endMs   when the producers stopped
 * @param notes   free lines for the report (the command that reproduces it, warnings)
 * @param skipped fault kinds the schedule drew that cannot happen here, each with why: neither run
 *                nor passed, listed apart
 * @param clients what the clients did on their own (epoch bumps, early ends): reported, failing nothing
 */
public record RunReport(String system, long seed, long startMs, long endMs, List<FaultWindow> faults,
                        History history, CheckResult check, List<String> notes, Map<String, String> skipped,
                        ClientTrouble clients) {

    public RunReport {
        skipped = Map.copyOf(skipped);
    }

    /** A report of a schedule that skipped nothing, whose clients did nothing on their own. */
    public RunReport(String system, long seed, long startMs, long endMs, List<FaultWindow> faults, History history,
                     CheckResult check, List<String> notes) {
        this(system, seed, startMs, endMs, faults, history, check, notes, Map.of(), ClientTrouble.NONE);
    }

    /** Every acknowledgement's time, ascending. */
    public long[] ackTimesMs() {
        return history.sends().stream().filter(s -> s.outcome() == Send.Outcome.ACKED)
                .mapToLong(Send::completedAtMs).sorted().toArray();
    }

    /** The unavailability around each fault, in the faults' order. */
    public List<Unavailability> unavailability() {
        long[] acks = ackTimesMs();
        return faults.stream().map(f -> Unavailability.of(acks, f, endMs)).toList();
    }

    public boolean passed() {
        return check.clean() && history.acked() > 0;
    }

    /** {@code PASS strand seed=… faults=… acked=… lost=0 dup=0 …} or {@code FAIL …}. */
    public String verdict() {
        StringBuilder line = new StringBuilder(passed() ? "PASS " : "FAIL ").append(system).append(" seed=").append(seed)
                .append(" faults=").append(faults.size()).append(" acked=").append(history.acked())
                .append(" failed=").append(history.failed()).append(" unknown=").append(history.unknown())
                .append(" reads=").append(history.reads());
        TransactionHistory tx = history.transactions();
        if (!tx.transactions().isEmpty()) {
            line.append(" txns=").append(tx.count(Transaction.Outcome.COMMITTED)).append('/')
                    .append(tx.count(Transaction.Outcome.ABORTED)).append('/')
                    .append(tx.count(Transaction.Outcome.UNKNOWN)).append(" txreads=").append(tx.reads());
        }
        check.counts().forEach((kind, count) -> line.append(' ').append(kind.shortName()).append('=').append(count));
        return line.toString();
    }

    /** Writes every file of the class doc into {@code dir} (made if missing). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown());
        Files.writeString(dir.resolve("report.json"), Json.write(json()));
        Timeline.write(dir.resolve("timeline.png"), system + " seed " + seed, ackTimesMs(), faults, startMs,
                Math.max(endMs, faults.stream().mapToLong(FaultWindow::endMs).max().orElse(endMs)));
        writeHistory(dir);
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Chaos run: ").append(system).append(", seed ").append(seed).append("\n\n");
        md.append("`").append(verdict()).append("`\n\n");
        md.append("Started ").append(Instant.ofEpochMilli(startMs)).append(", workloads ran ")
                .append((endMs - startMs) / 1000).append(" s.\n\n");
        notes.forEach(note -> md.append("- ").append(note).append('\n'));
        md.append("- clients on their own: ").append(clients.describe()).append('\n');
        clients.endedEarly().forEach(why -> md.append("  - ").append(why).append('\n'));
        if (!skipped.isEmpty()) {
            md.append("\nSkipped, not run and not passed (the fault cannot happen here):\n\n");
            new TreeMap<>(skipped).forEach((kind, why) -> md.append("- ").append(kind).append(": ").append(why)
                    .append('\n'));
        }
        md.append("\n![timeline](timeline.png)\n\n## Anomalies\n\n| kind | count |\n|---|---|\n");
        check.counts().forEach((kind, count) -> md.append("| ").append(kind).append(" | ").append(count).append(" |\n"));
        Map<Integer, Map<Anomaly.Kind, Long>> byPartition = check.countsByPartition();
        if (!byPartition.isEmpty()) {
            md.append("\nPer partition: ").append(byPartition).append("\n\nFirst anomalies:\n\n");
            check.anomalies().stream().limit(50).forEach(a -> md.append("- ").append(a).append('\n'));
        }
        md.append("\n## Faults\n\n| # | kind | what | start | length (ms) | longest stretch without acks (ms) "
                + "| end to next ack (ms) |\n|---|---|---|---|---|---|---|\n");
        List<Unavailability> unavailability = unavailability();
        for (int i = 0; i < faults.size(); i++) {
            FaultWindow f = faults.get(i);
            md.append("| ").append(i + 1).append(" | ").append(f.kind()).append(" | ").append(f.description())
                    .append(" | +").append((f.startMs() - startMs) / 1000.0).append(" s | ").append(f.endMs() - f.startMs())
                    .append(" | ").append(unavailability.get(i).longestGapMs()).append(" | ")
                    .append(unavailability.get(i).recoveryMs()).append(" |\n");
        }
        md.append("\n## Per fault kind\n\n| kind | faults | worst stretch (ms) | worst recovery (ms) |\n|---|---|---|---|\n");
        perKind().forEach((kind, list) -> md.append("| ").append(kind).append(" | ").append(list.size()).append(" | ")
                .append(list.stream().mapToLong(Unavailability::longestGapMs).max().orElse(0)).append(" | ")
                .append(list.stream().mapToLong(Unavailability::recoveryMs).max().orElse(0)).append(" |\n"));
        md.append("\n## Clients\n\n| producer | idempotent | sent | acked | failed | unknown |\n|---|---|---|---|---|---|\n");
        producers().forEach((producer, counts) -> md.append("| ").append(producer).append(" | ")
                .append(history.idempotentProducers().contains(producer)).append(" | ").append(counts.get("sent"))
                .append(" | ").append(counts.get("acked")).append(" | ").append(counts.get("failed")).append(" | ")
                .append(counts.get("unknown")).append(" |\n"));
        md.append("\n| consumer | group | reads | commits |\n|---|---|---|---|\n");
        consumers().forEach((consumer, row) -> md.append("| ").append(consumer).append(" | ").append(row.get("group"))
                .append(" | ").append(row.get("reads")).append(" | ").append(row.get("commits")).append(" |\n"));
        md.append("\nFinal read: ").append(history.finalRecords()).append(" records in ")
                .append(history.finalRead().size()).append(" partitions.\n");
        TransactionHistory tx = history.transactions();
        if (!tx.transactions().isEmpty()) {
            md.append("\n## Transactions (").append(tx.topic()).append(")\n\n`txns=committed/aborted/unknown` in the "
                    + "verdict; aborted counts those aborted on purpose and those that failed before commit.\n\n"
                    + "| producer | transactions | committed | aborted | of them failed | unknown | records |\n"
                    + "|---|---|---|---|---|---|---|\n");
            transactionCounts().forEach((producer, counts) -> md.append("| ").append(producer).append(" | ")
                    .append(counts.get("transactions")).append(" | ").append(counts.get("committed")).append(" | ")
                    .append(counts.get("aborted")).append(" | ").append(counts.get("failed")).append(" | ")
                    .append(counts.get("unknown")).append(" | ").append(counts.get("records")).append(" |\n"));
            md.append("\n| read_committed consumer | group | reads |\n|---|---|---|\n");
            Map<String, Long> reads = new TreeMap<>();
            Map<String, String> groups = new TreeMap<>();
            for (ConsumerEvent e : tx.committedReads()) {
                groups.putIfAbsent(e.consumer(), e.group() == null ? "(alone)" : e.group());
                reads.merge(e.consumer(), e.kind() == ConsumerEvent.Kind.READ ? 1L : 0L, Long::sum);
            }
            reads.forEach((consumer, count) -> md.append("| ").append(consumer).append(" | ")
                    .append(groups.get(consumer)).append(" | ").append(count).append(" |\n"));
            md.append("\nFinal reads: ").append(records(tx.finalCommitted())).append(" records read_committed, ")
                    .append(records(tx.finalUncommitted())).append(" read_uncommitted.\n");
        }
        return md.toString();
    }

    /** Producer to its transactions' counts: transactions, committed, aborted, failed (aborted with an error), unknown, records. */
    private Map<String, Map<String, Long>> transactionCounts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Transaction t : history.transactions().transactions()) {
            Map<String, Long> counts = out.computeIfAbsent(t.producer(), p -> new LinkedHashMap<>(Map.of(
                    "transactions", 0L, "committed", 0L, "aborted", 0L, "failed", 0L, "unknown", 0L, "records", 0L)));
            counts.merge("transactions", 1L, Long::sum);
            counts.merge(t.outcome().name().toLowerCase(), 1L, Long::sum);
            counts.merge("records", (long) t.count(), Long::sum);
            if (t.outcome() == Transaction.Outcome.ABORTED && t.error() != null) {
                counts.merge("failed", 1L, Long::sum);
            }
        }
        return out;
    }

    private static long records(Map<Integer, NavigableMap<Long, String>> read) {
        return read.values().stream().mapToLong(Map::size).sum();
    }

    /** Fault kind to the unavailability of each of its faults. */
    public Map<String, List<Unavailability>> perKind() {
        Map<String, List<Unavailability>> perKind = new TreeMap<>();
        List<Unavailability> unavailability = unavailability();
        for (int i = 0; i < faults.size(); i++) {
            perKind.computeIfAbsent(faults.get(i).kind(), k -> new ArrayList<>()).add(unavailability.get(i));
        }
        return perKind;
    }

    private Map<String, Map<String, Long>> producers() {
        Map<String, Map<String, Long>> producers = new TreeMap<>();
        for (Send send : history.sends()) {
            Map<String, Long> counts = producers.computeIfAbsent(send.producer(), p -> new LinkedHashMap<>(Map.of(
                    "sent", 0L, "acked", 0L, "failed", 0L, "unknown", 0L)));
            counts.merge("sent", 1L, Long::sum);
            counts.merge(send.outcome().name().toLowerCase(), 1L, Long::sum);
        }
        return producers;
    }

    private Map<String, Map<String, Object>> consumers() {
        Map<String, Map<String, Object>> consumers = new TreeMap<>();
        for (ConsumerEvent event : history.consumerEvents()) {
            Map<String, Object> row = consumers.computeIfAbsent(event.consumer(), c -> new LinkedHashMap<>(Map.of(
                    "group", event.group() == null ? "(alone)" : event.group(), "reads", 0L, "commits", 0L)));
            if (event.kind() == ConsumerEvent.Kind.READ) {
                row.merge("reads", 1L, (a, b) -> (Long) a + (Long) b);
            } else if (event.kind() == ConsumerEvent.Kind.COMMITTED) {
                row.merge("commits", 1L, (a, b) -> (Long) a + (Long) b);
            }
        }
        return consumers;
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("system", system);
        json.put("seed", seed);
        json.put("verdict", verdict());
        json.put("passed", passed());
        json.put("startMs", startMs);
        json.put("endMs", endMs);
        json.put("notes", notes);
        json.put("skipped", new TreeMap<>(skipped));
        json.put("clientEpochBumps", clients.epochBumps());
        json.put("producersEndedEarly", clients.endedEarly());
        json.put("acked", history.acked());
        json.put("failed", history.failed());
        json.put("unknown", history.unknown());
        json.put("reads", history.reads());
        json.put("finalRecords", history.finalRecords());
        Map<String, Object> counts = new LinkedHashMap<>();
        check.counts().forEach((kind, count) -> counts.put(kind.shortName(), count));
        json.put("anomalyCounts", counts);
        Map<String, Object> perPartition = new LinkedHashMap<>();
        check.countsByPartition().forEach((partition, byKind) -> perPartition.put(partition.toString(),
                byKind.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().shortName(), Map.Entry::getValue,
                        (a, b) -> a, LinkedHashMap::new))));
        json.put("anomaliesPerPartition", perPartition);
        json.put("anomalies", check.anomalies().stream().limit(1000).map(a -> Map.of("kind", a.kind().shortName(),
                "partition", a.partition(), "records", a.records(), "detail", a.detail())).toList());
        List<Unavailability> unavailability = unavailability();
        List<Map<String, Object>> faultRows = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            FaultWindow f = faults.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kind", f.kind());
            row.put("description", f.description());
            row.put("startMs", f.startMs());
            row.put("endMs", f.endMs());
            row.put("longestGapMs", unavailability.get(i).longestGapMs());
            row.put("recoveryMs", unavailability.get(i).recoveryMs());
            faultRows.add(row);
        }
        json.put("faults", faultRows);
        json.put("producers", producers());
        json.put("consumers", consumers());
        TransactionHistory tx = history.transactions();
        if (!tx.transactions().isEmpty()) {
            Map<String, Object> transactions = new LinkedHashMap<>();
            transactions.put("topic", tx.topic());
            transactions.put("committed", tx.count(Transaction.Outcome.COMMITTED));
            transactions.put("aborted", tx.count(Transaction.Outcome.ABORTED));
            transactions.put("unknown", tx.count(Transaction.Outcome.UNKNOWN));
            transactions.put("reads", tx.reads());
            transactions.put("finalCommittedRecords", records(tx.finalCommitted()));
            transactions.put("finalUncommittedRecords", records(tx.finalUncommitted()));
            transactions.put("producers", transactionCounts());
            json.put("transactions", transactions);
        }
        return json;
    }

    private void writeHistory(Path dir) throws IOException {
        try (Writer out = Files.newBufferedWriter(dir.resolve("sends.tsv"), StandardCharsets.UTF_8)) {
            out.write("producer\tseq\tpartition\tvalue\tsentAtMs\toutcome\toffset\tcompletedAtMs\terror\n");
            for (Send s : history.sends()) {
                out.write(s.producer() + "\t" + s.seq() + "\t" + s.partition() + "\t" + s.value() + "\t" + s.sentAtMs()
                        + "\t" + s.outcome() + "\t" + s.offset() + "\t" + s.completedAtMs() + "\t"
                        + (s.error() == null ? "" : s.error().replace('\t', ' ').replace('\n', ' ')) + "\n");
            }
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("consumer-events.tsv"), StandardCharsets.UTF_8)) {
            out.write("consumer\tgroup\tkind\tpartition\toffset\tvalue\tatMs\n");
            for (ConsumerEvent e : history.consumerEvents()) {
                out.write(e.consumer() + "\t" + (e.group() == null ? "" : e.group()) + "\t" + e.kind() + "\t"
                        + e.partition() + "\t" + e.offset() + "\t" + (e.value() == null ? "" : e.value()) + "\t"
                        + e.atMs() + "\n");
            }
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("final-read.tsv"), StandardCharsets.UTF_8)) {
            out.write("partition\toffset\tvalue\n");
            for (Map.Entry<Integer, NavigableMap<Long, String>> p : new TreeMap<>(history.finalRead()).entrySet()) {
                for (Map.Entry<Long, String> r : p.getValue().entrySet()) {
                    out.write(p.getKey() + "\t" + r.getKey() + "\t" + r.getValue() + "\n");
                }
            }
        }
        TransactionHistory tx = history.transactions();
        if (tx.transactions().isEmpty()) {
            return;
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("transactions.tsv"), StandardCharsets.UTF_8)) {
            out.write("producer\tnumber\tpartitions\toutcome\tstartedAtMs\tendedAtMs\terror\n");
            for (Transaction t : tx.transactions()) {
                out.write(t.producer() + "\t" + t.number() + "\t" + t.partitions() + "\t" + t.outcome() + "\t"
                        + t.startedAtMs() + "\t" + t.endedAtMs() + "\t"
                        + (t.error() == null ? "" : t.error().replace('\t', ' ').replace('\n', ' ')) + "\n");
            }
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("tx-consumer-events.tsv"), StandardCharsets.UTF_8)) {
            out.write("consumer\tgroup\tkind\tpartition\toffset\tvalue\tatMs\n");
            for (ConsumerEvent e : tx.committedReads()) {
                out.write(e.consumer() + "\t" + (e.group() == null ? "" : e.group()) + "\t" + e.kind() + "\t"
                        + e.partition() + "\t" + e.offset() + "\t" + (e.value() == null ? "" : e.value()) + "\t"
                        + e.atMs() + "\n");
            }
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("tx-final-read.tsv"), StandardCharsets.UTF_8)) {
            out.write("isolation\tpartition\toffset\tvalue\n");
            for (Map.Entry<String, Map<Integer, NavigableMap<Long, String>>> read : Map.of("read_committed",
                    tx.finalCommitted(), "read_uncommitted", tx.finalUncommitted()).entrySet()) {
                for (Map.Entry<Integer, NavigableMap<Long, String>> p : new TreeMap<>(read.getValue()).entrySet()) {
                    for (Map.Entry<Long, String> r : p.getValue().entrySet()) {
                        out.write(read.getKey() + "\t" + p.getKey() + "\t" + r.getKey() + "\t" + r.getValue() + "\n");
                    }
                }
            }
        }
    }

    /** The median of {@code values} (the lower middle of an even count); 0 if empty. */
    static long median(long[] values) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }
}
