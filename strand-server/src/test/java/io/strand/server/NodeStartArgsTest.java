package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class NodeStartArgsTest {

    /** What picocli builds for {@code args}: the command it would run. */
    private static ServerCommand viaPicocli(String... args) {
        CommandLine cli = new CommandLine(new StrandMain());
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        if (!parsed.hasSubcommand()) {
            return new ServerCommand();
        }
        return (ServerCommand) parsed.subcommand().commandSpec().userObject();
    }

    private static void assertSameCommand(String... args) {
        Optional<ServerCommand> fast = NodeStartArgs.parse(args);
        assertThat(fast).as("fast path for %s", List.of(args)).isPresent();
        ServerCommand expected = viaPicocli(args);
        assertThat(fast.get().configFile).isEqualTo(expected.configFile);
        assertThat(fast.get().overrides).containsExactlyEntriesOf(expected.overrides);
        assertThat(fast.get().trainingRun).isEqualTo(expected.trainingRun);
    }

    @Test
    void plainStartsBuildWhatPicocliBuilds() {
        assertSameCommand();
        assertSameCommand("server");
        assertSameCommand("server", "--config", "conf/server.properties");
        assertSameCommand("server", "-c", "a.properties", "-o", "num.partitions=3", "--override", "log.dirs=/d1,/d2");
        assertSameCommand("server", "-o", "a=b=c", "-o", "a=second", "-o", "empty=");
        assertSameCommand("server", "--training-run", "-o", "listeners=PLAINTEXT://127.0.0.1:0");
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (List<String> args : List.of(
                List.of("--help"), List.of("--version"), List.of("server", "--help"), List.of("server", "-h"),
                List.of("server", "--config=a.properties"), List.of("server", "-oa=b"),
                List.of("server", "-c", "a", "-c", "b"), List.of("server", "-o"), List.of("server", "-o", "novalue"),
                List.of("server", "-o", "=x"), List.of("server", "--config", "--training-run"),
                List.of("server", "--unknown"), List.of("server", "extra"), List.of("other"))) {
            assertThat(NodeStartArgs.parse(args.toArray(String[]::new))).as("%s", args).isEmpty();
        }
    }
}
