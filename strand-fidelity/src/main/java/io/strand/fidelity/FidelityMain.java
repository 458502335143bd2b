package io.strand.fidelity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the corpus against a fresh Apache Kafka and a fresh Strand and prints the report
 * ({@code strand-fidelity/run}):
 * <pre>
 *   FidelityMain [--corpus DIR] [--declared FILE] [--report FILE]
 *   FidelityMain --generate N [--seed S] [--setup FILE] [--report FILE] [--apis NAME,NAME...]
 * </pre>
 * The corpus: exit status 0 when every difference found is declared, 1 otherwise. {@code --generate}:
 * N requests generated from the message schemas ({@link GeneratedRun}), with {@code --apis} only of the
 * APIs named (as the report names them); exit status 0, the report
 * counting what differed. 2 for bad arguments.
 */
public final class FidelityMain {

    private FidelityMain() {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of("strand-fidelity/corpus");
        Path declaredFile = Path.of("strand-fidelity/declared.json");
        Path reportFile = null;
        Path setupFile = Path.of("strand-fidelity/generated-setup.json");
        int generate = 0;
        long seed = 1;
        java.util.Set<String> apis = java.util.Set.of();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--corpus" -> corpus = Path.of(required(value, args[i++]));
                case "--declared" -> declaredFile = Path.of(required(value, args[i++]));
                case "--report" -> reportFile = Path.of(required(value, args[i++]));
                case "--generate" -> generate = Integer.parseInt(required(value, args[i++]));
                case "--seed" -> seed = Long.parseLong(required(value, args[i++]));
                case "--setup" -> setupFile = Path.of(required(value, args[i++]));
                case "--apis" -> apis = java.util.Set.of(required(value, args[i++]).split(","));
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (generate > 0) {
            String report = generated(setupFile, declaredFile, seed, generate, apis);
            if (reportFile != null) {
                Files.writeString(reportFile, report);
            }
            System.out.print(report);
            System.exit(0);
        }
        Outcome outcome = run(corpus, declaredFile);
        if (reportFile != null) {
            Files.writeString(reportFile, outcome.report());
        }
        System.out.print(outcome.report());
        System.exit(outcome.undeclared() == 0 ? 0 : 1);
    }

    /** A run's report and how many of its differences are undeclared. */
    record Outcome(String report, long undeclared) {
    }

    static Outcome run(Path corpus, Path declaredFile) throws Exception {
        List<Scenario> scenarios = Scenario.loadAll(corpus);
        DeclaredDifferences declared = DeclaredDifferences.load(declaredFile);
        List<DifferentialRun.Finding> findings = new ArrayList<>();
        // One fresh pair per distinct brokerConfig, the default pair first: a scenario's settings (an
        // authorizer) never reach the scenarios written for the defaults.
        for (Map.Entry<Map<String, String>, List<Scenario>> group : Scenario.byBrokerConfig(scenarios).entrySet()) {
            try (BrokerPair brokers = BrokerPair.start(group.getKey())) {
                findings.addAll(new DifferentialRun(brokers.kafka(), brokers.strand()).run(group.getValue()));
            }
        }
        int steps = scenarios.stream().mapToInt(s -> s.steps().size()).sum();
        long undeclared = findings.stream().filter(f -> declared.declaring(f).isEmpty()).count();
        return new Outcome(Report.markdown(scenarios.size(), steps, findings, declared), undeclared);
    }

    static String generated(Path setupFile, Path declaredFile, long seed, int count, java.util.Set<String> apis)
            throws Exception {
        Scenario setup = Scenario.parse(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readAllBytes(setupFile)), setupFile.getFileName().toString()).get(0);
        try (BrokerPair brokers = BrokerPair.start(setup.brokerConfig())) {
            GeneratedRun.Outcome outcome = new GeneratedRun(brokers.kafka(), brokers.strand()).run(setup, seed, count,
                    DeclaredDifferences.load(declaredFile), apis);
            return Report.generated(seed, count, outcome);
        }
    }

    private static String required(String value, String option) {
        if (value == null) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
