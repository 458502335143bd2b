package io.strand.it;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that finds the third-party clients the integration tests drive, and decides what a
 * missing one means: on a CI machine ({@code CI=true}) it fails the test class, since {@code .ci/run}
 * installs every client; on a developer's machine the class is skipped with the hint how to install
 * it. Tests never install anything themselves.
 *
 * <p>Each tool is taken from a system property, else from an environment variable, else found on
 * {@code PATH}:
 *
 * <table>
 *   <caption>Where each tool comes from</caption>
 *   <tr><th>tool</th><th>system property</th><th>environment</th><th>on PATH</th><th>installed by</th></tr>
 *   <tr><td>kcat</td><td>{@code strand.it.kcat}</td><td>{@code STRAND_IT_KCAT}</td>
 *       <td>the first {@code kcat}</td><td>apt package kcat</td></tr>
 *   <tr><td>python</td><td>{@code strand.it.python}</td><td>{@code STRAND_IT_PYTHON}</td>
 *       <td>the first {@code python3} that can import {@code confluent_kafka}</td>
 *       <td>apt package python3-confluent-kafka (for {@code /usr/bin/python3})</td></tr>
 *   <tr><td>python with prometheus_client</td><td>{@code strand.it.prometheusPython}</td>
 *       <td>{@code STRAND_IT_PROMETHEUS_PYTHON}</td><td>the first {@code python3} that can import
 *       {@code prometheus_client.parser}</td><td>apt package python3-prometheus-client</td></tr>
 *   <tr><td>node</td><td>{@code strand.it.node}</td><td>{@code STRAND_IT_NODE}</td>
 *       <td>the first {@code node}</td><td>apt package nodejs</td></tr>
 *   <tr><td>chromium</td><td>{@code strand.it.chromium}</td><td>{@code STRAND_IT_CHROMIUM}</td>
 *       <td>the first {@code chromium}</td><td>apt package chromium</td></tr>
 *   <tr><td>chromedriver</td><td>{@code strand.it.chromedriver}</td><td>{@code STRAND_IT_CHROMEDRIVER}</td>
 *       <td>the first {@code chromedriver} that answers {@code --version}</td><td>apt package chromium-driver</td></tr>
 *   <tr><td>librdkafka 2.15.1 (its share consumer)</td><td>{@code strand.it.librdkafkaShare}</td>
 *       <td>{@code STRAND_IT_LIBRDKAFKA_SHARE}</td><td>{@code ~/.cache/strand/librdkafka-2.15.1}
 *       ({@code include/rdkafka.h}, {@code lib/librdkafka.a})</td><td>{@link #LIBRDKAFKA_SHARE_BUILD}</td></tr>
 *   <tr><td>kafkajs</td><td>{@code strand.it.jsDir} (the scripts' directory)</td><td></td>
 *       <td>{@code node_modules/kafkajs} there</td><td>{@code npm ci} (see {@link #NPM_CI})</td></tr>
 * </table>
 *
 * <p>A value that names no directory ({@code -Dstrand.it.kcat=kcat}) is looked up on {@code PATH};
 * any other is taken as the file itself. An explicit value wins: when it is unusable the tool is
 * missing, no other is tried. Python is checked by running {@code import confluent_kafka}, since
 * the first {@code python3} on a developer's {@code PATH} is often one (pyenv, a virtualenv) without
 * the apt package's module.
 *
 * <p>Thread-safe: each tool is resolved once per JVM and the outcome, found or not, cached.
 */
final class Tools {

    /** The command that installs the kafkajs scripts' dependencies, from the repository root. */
    static final String NPM_CI = "npm ci --prefix strand-it/src/test/js --no-audit --no-fund";

    /** The command that builds librdkafka 2.15.1 for the share-consumer test, from the repository root. */
    static final String LIBRDKAFKA_SHARE_BUILD = "strand-it/src/test/c/build-librdkafka-share";

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    /** A tool looked for: where an override may come from, which name to look for on PATH, how to install it. */
    private record Tool(String what, String property, String envVariable, String commandName, String installHint,
            Probe probe) {
    }

    /** Whether a candidate file works as the tool; empty when it does, else why not. */
    private interface Probe {
        Optional<String> whyUnusable(Path candidate);
    }

    /** The outcome of a lookup: the tool, or why there is none. */
    private record Lookup(Path path, String missing) {
    }

    private static final Tool KCAT = new Tool("kcat", "strand.it.kcat", "STRAND_IT_KCAT", "kcat",
            "apt package kcat", candidate -> Optional.empty());
    private static final Tool PYTHON = new Tool("python3 with confluent_kafka", "strand.it.python",
            "STRAND_IT_PYTHON", "python3", "apt package python3-confluent-kafka (it serves /usr/bin/python3)",
            Tools::whyNoConfluentKafka);
    private static final Tool PROMETHEUS_PYTHON = new Tool("python3 with prometheus_client",
            "strand.it.prometheusPython", "STRAND_IT_PROMETHEUS_PYTHON", "python3",
            "apt package python3-prometheus-client (it serves /usr/bin/python3)",
            candidate -> whyNoModule(candidate, "prometheus_client.parser"));
    private static final Tool NODE = new Tool("node", "strand.it.node", "STRAND_IT_NODE", "node",
            "apt package nodejs", candidate -> Optional.empty());

    private static final Tool CHROMIUM = new Tool("chromium", "strand.it.chromium", "STRAND_IT_CHROMIUM", "chromium",
            "apt package chromium", candidate -> Optional.empty());
    private static final Tool CHROMEDRIVER = new Tool("chromedriver", "strand.it.chromedriver", "STRAND_IT_CHROMEDRIVER",
            "chromedriver", "apt package chromium-driver",
            candidate -> runs(candidate.toString(), "--version") ? Optional.empty() : Optional.of("--version failed"));

    private static final Map<Tool, Lookup> RESOLVED = new ConcurrentHashMap<>();

    private Tools() {
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** kcat: fails on CI, skips elsewhere, when there is none. */
    static Path requireKcat() {
        return require(KCAT);
    }

    /** A python3 that can import confluent_kafka: fails on CI, skips elsewhere, when there is none. */
    static Path requirePython() {
        return require(PYTHON);
    }

    /**
     * kcat for a test that is still worth running without it: fails on CI when there is none, else
     * empty (and says so on the test's stderr).
     */
    static Optional<Path> kcatIfPresent() {
        return ifPresent(KCAT);
    }

    /** A python3 that can import confluent_kafka, for a test that runs without it off CI; see {@link #kcatIfPresent}. */
    static Optional<Path> pythonIfPresent() {
        return ifPresent(PYTHON);
    }

    /** A python3 that can import Prometheus' text-format parser: fails on CI, skips elsewhere, when there is none. */
    static Path requirePrometheusPython() {
        return require(PROMETHEUS_PYTHON);
    }

    /** Debian's chromium (the browser): fails on CI, skips elsewhere, when there is none. */
    static Path requireChromium() {
        return require(CHROMIUM);
    }

    /** Debian's chromedriver for that chromium: fails on CI, skips elsewhere, when there is none. */
    static Path requireChromedriver() {
        return require(CHROMEDRIVER);
    }

    /** node: fails on CI, skips elsewhere, when there is none. */
    static Path requireNode() {
        return require(NODE);
    }

    /**
     * The kafkajs scripts' directory ({@code strand.it.jsDir}), with node present and the scripts'
     * npm dependencies installed: fails on CI, skips elsewhere, when either is missing.
     */
    static Path requireKafkajs() {
        requireNode();
        Path scripts = Path.of(System.getProperty("strand.it.jsDir", "src/test/js"));
        require(Files.isRegularFile(scripts.resolve("node_modules/kafkajs/package.json")),
                "kafkajs is not installed in " + scripts.toAbsolutePath().normalize().resolve("node_modules")
                        + "; tests never download it: run `" + NPM_CI + "` from the repository root");
        return scripts;
    }

    /**
     * The directory of librdkafka 2.15.1's static library and header, which has the share consumer
     * (KIP-932) that Debian's librdkafka lacks: fails on CI, skips elsewhere, when it is not built.
     */
    static Path requireLibrdkafkaShare() {
        String configured = System.getProperty("strand.it.librdkafkaShare", System.getenv("STRAND_IT_LIBRDKAFKA_SHARE"));
        Path dir = configured != null && !configured.isEmpty() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "strand", "librdkafka-2.15.1");
        require(Files.isRegularFile(dir.resolve("lib/librdkafka.a")) && Files.isRegularFile(dir.resolve("include/rdkafka.h")),
                "librdkafka 2.15.1 is not built in " + dir + "; tests never build it: run `" + LIBRDKAFKA_SHARE_BUILD
                        + "` from the repository root");
        return dir;
    }

    /** Fails on CI, skips elsewhere, unless {@code executable} exists and may be run. */
    static void requireExecutable(Path executable, String installHint) {
        require(Files.isExecutable(executable), executable + " is missing; install " + installHint);
    }

    /** Whether {@code command} can be started and exits with 0 within ten seconds. */
    static boolean runs(String... command) {
        try {
            return ChildProcess.of(command).timeout(PROBE_TIMEOUT).run().exitCode() == 0;
        } catch (UncheckedIOException | AssertionError e) {
            return false;
        }
    }

    /** Fails on CI, skips elsewhere, unless {@code present}. */
    static void require(boolean present, String whatIsMissing) {
        if (onCi()) {
            if (!present) {
                throw new AssertionError(whatIsMissing + " (CI=true: a missing client fails the tests)");
            }
        } else if (!present) {
            // JUnit reports a class skipped in @BeforeAll as zero tests, without the reason: say it here.
            System.err.println("Skipped: " + whatIsMissing);
            assumeThat(present).as(whatIsMissing + " (set CI=true to fail instead of skipping)").isTrue();
        }
    }

    private static Path require(Tool tool) {
        Lookup lookup = RESOLVED.computeIfAbsent(tool, Tools::lookUp);
        require(lookup.path() != null, lookup.missing());
        return lookup.path();
    }

    private static Optional<Path> ifPresent(Tool tool) {
        Lookup lookup = RESOLVED.computeIfAbsent(tool, Tools::lookUp);
        if (lookup.path() == null) {
            if (onCi()) {
                throw new AssertionError(lookup.missing() + " (CI=true: a missing client fails the tests)");
            }
            System.err.println("Left out: " + lookup.missing());
        }
        return Optional.ofNullable(lookup.path());
    }

    private static Lookup lookUp(Tool tool) {
        String property = System.getProperty(tool.property(), "").strip();
        String env = Objects.requireNonNullElse(System.getenv(tool.envVariable()), "").strip();
        String name;
        String source;
        if (!property.isEmpty()) {
            name = property;
            source = "-D" + tool.property() + "=" + property;
        } else if (!env.isEmpty()) {
            name = env;
            source = tool.envVariable() + "=" + env;
        } else {
            name = tool.commandName();
            source = "PATH";
        }
        List<Path> candidates = name.contains(File.separator)
                ? asPath(name).map(List::of).orElse(List.of())
                : onPath(name);
        List<String> tried = new ArrayList<>();
        Set<Path> probed = new HashSet<>();
        for (Path candidate : candidates) {
            if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                tried.add(candidate + " (not an executable file)");
            } else if (probed.add(realPath(candidate))) {
                Optional<String> whyNot = tool.probe().whyUnusable(candidate);
                if (whyNot.isEmpty()) {
                    return new Lookup(candidate, null);
                }
                tried.add(candidate + " (" + whyNot.get() + ")");
            }
        }
        String triedText = tried.isEmpty() ? "no " + name + " on PATH=" + System.getenv("PATH")
                : "tried " + String.join(", ", tried);
        return new Lookup(null, "no " + tool.what() + " from " + source + ": " + triedText + "; install "
                + tool.installHint() + ", or name the file with -D" + tool.property() + "=... or "
                + tool.envVariable() + "=...");
    }

    /** Every file called {@code name} in a directory of PATH, in PATH's order. */
    private static List<Path> onPath(String name) {
        List<Path> found = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path == null) {
            return found;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            asPath(dir).map(d -> d.resolve(name)).filter(Files::exists).ifPresent(found::add);
        }
        return found;
    }

    private static Optional<Path> asPath(String text) {
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    private static Optional<String> whyNoConfluentKafka(Path python) {
        return whyNoModule(python, "confluent_kafka");
    }

    private static Optional<String> whyNoModule(Path python, String module) {
        ChildProcess.Result result;
        try {
            result = ChildProcess.of(python.toString(), "-c", "import " + module)
                    .timeout(PROBE_TIMEOUT).run();
        } catch (UncheckedIOException | AssertionError e) {
            return Optional.of("does not run: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (result.exitCode() == 0) {
            return Optional.empty();
        }
        List<String> errors = result.stderr().lines().filter(line -> !line.isBlank()).toList();
        return Optional.of("cannot import " + module
                + (errors.isEmpty() ? "" : ": " + errors.get(errors.size() - 1).strip()));
    }
}
