package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final List<String> REQUIRED = List.of("--strand-classpath", "s.jar:lib/*",
            "--kafka-classpath", "k/*", "--results", "out", "--logs", "logs");

    private static BenchOptions parse(String... extra) {
        List<String> args = new ArrayList<>(REQUIRED);
        args.addAll(List.of(extra));
        return BenchOptions.parse(args.toArray(String[]::new));
    }

    @Test
    void defaultsToThreeFullRoundsWithTheLauncherJvmOptions() {
        BenchOptions options = parse();

        assertThat(options.workload().mode()).isEqualTo("full");
        assertThat(options.workload().rounds()).isEqualTo(3);
        assertThat(options.brokerJvmOptions()).containsExactly("-Xms128m", "-Xmx1g", "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError");
        assertThat(options.resultsDir()).isEqualTo(Path.of("out"));
        assertThat(options.strandRevision()).isEqualTo("unknown");
    }

    @Test
    void quickModeRunsOneSmallerRound() {
        Workload quick = parse("--quick").workload();

        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(quick.smallRecords()).isLessThan(Workload.full(3).smallRecords());
        assertThat(quick.largeRecords()).isLessThan(Workload.full(3).largeRecords());
    }

    @Test
    void takesRoundsAndJvmOptions() {
        BenchOptions options = parse("--rounds", "5", "--broker-jvm-options", " -Xmx2g  -XX:+UseZGC ",
                "--strand-revision", "abc1234");

        assertThat(options.workload().rounds()).isEqualTo(5);
        assertThat(options.brokerJvmOptions()).containsExactly("-Xmx2g", "-XX:+UseZGC");
        assertThat(options.strandRevision()).isEqualTo("abc1234");
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> parse("--rounds", "0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> parse("--rounds", "many")).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> parse("--turbo")).hasMessageContaining("unknown option --turbo");
        assertThatThrownBy(() -> parse("--results")).hasMessageContaining("--results needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--quick")).hasMessageContaining("--strand-classpath is required");
    }

    @Test
    void runsTheSingleNodeWorkloadUnlessToldOtherwise() {
        assertThat(parse().scenarios()).isEqualTo(BenchOptions.Scenarios.SINGLE);
        assertThat(parse("--quick").workload().mode()).isEqualTo("quick");
    }

    @Test
    void namesAReplicatedRunInItsMode() {
        BenchOptions replicated = parse("--quick", "--workload", "replicated");
        BenchOptions all = parse("--workload", "all");

        assertThat(replicated.scenarios().single()).isFalse();
        assertThat(replicated.scenarios().replicated()).isTrue();
        assertThat(replicated.workload().mode()).isEqualTo("quick-replicated");
        assertThat(replicated.workload().largeRecords()).isEqualTo(Workload.quick().largeRecords());
        assertThat(all.scenarios().single()).isTrue();
        assertThat(all.scenarios().replicated()).isTrue();
        assertThat(all.workload().mode()).isEqualTo("full-all");
    }

    @Test
    void selectsTheMetricsWorkloadAlone() {
        BenchOptions metrics = parse("--quick", "--workload", "metrics");

        assertThat(metrics.scenarios().metrics()).isTrue();
        assertThat(metrics.scenarios().single()).isFalse();
        assertThat(metrics.scenarios().replicated()).isFalse();
        assertThat(metrics.scenarios().tls()).isFalse();
        assertThat(metrics.workload().mode()).isEqualTo("quick-metrics");
    }

    @Test
    void rejectsAnUnknownWorkload() {
        assertThatThrownBy(() -> parse("--workload", "cluster")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--workload");
    }

    @Test
    void selectsTheTlsWorkloadAlone() {
        BenchOptions tls = parse("--quick", "--workload", "tls");

        assertThat(tls.scenarios().tls()).isTrue();
        assertThat(tls.scenarios().single()).isFalse();
        assertThat(tls.scenarios().replicated()).isFalse();
        assertThat(tls.scenarios().transactionsOnly()).isFalse();
        assertThat(tls.workload().mode()).isEqualTo("quick-tls");
    }

    @Test
    void selectsTheTransactionalFigureAlone() {
        BenchOptions transactions = parse("--quick", "--workload", "transactions");

        assertThat(transactions.scenarios().transactionsOnly()).isTrue();
        assertThat(transactions.scenarios().single()).isFalse();
        assertThat(transactions.scenarios().replicated()).isFalse();
        assertThat(transactions.workload().mode()).isEqualTo("quick-transactions");
        assertThat(transactions.workload().transactionalMs()).isEqualTo(Workload.quick().transactionalMs());
        assertThat(parse().scenarios().transactionsOnly()).isFalse();
        assertThat(parse("--workload", "all").scenarios().transactionsOnly()).isFalse();
        assertThat(parse().workload().transactionalMs()).isEqualTo(10_000);
    }

    @Test
    void selectsTheShareGroupFigureAlone() {
        BenchOptions share = parse("--quick", "--workload", "share");

        assertThat(share.scenarios().shareOnly()).isTrue();
        assertThat(share.scenarios().single()).isFalse();
        assertThat(share.scenarios().transactionsOnly()).isFalse();
        assertThat(share.workload().mode()).isEqualTo("quick-share");
        assertThat(share.workload().shareRecords()).isEqualTo(100_000);
        assertThat(parse("--workload", "share").workload().shareRecords()).isEqualTo(500_000);
        assertThat(parse().scenarios().shareOnly()).isFalse();
    }
}
