package io.strand.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Recognises the plain ways of starting a node — {@code strand}, and {@code strand server} followed
 * only by {@code -c/--config FILE}, {@code -o/--override NAME=VALUE} and {@code --training-run},
 * each value as its own argument — and builds the {@link ServerCommand} picocli would have built.
 *
 * <p>Why: picocli is compiled for Java 5, whose classes the class-data archive cannot hold, and it
 * reflects over the command's annotations before parsing; that costs about 110 ms of every start,
 * a third of a node's start-up. Everything else (help, version, an attached value such as
 * {@code --config=FILE}, a repeated {@code --config}, anything unknown or malformed) is left to
 * picocli, so its messages and rules stay the only ones a user sees. {@code NodeStartArgsTest}
 * checks that both paths build the same command. Stateless.
 */
final class NodeStartArgs {

    private NodeStartArgs() {
    }

    /** The command for a plain node start, or empty when picocli must read these arguments. */
    static Optional<ServerCommand> parse(String[] args) {
        ServerCommand command = new ServerCommand();
        if (args.length == 0) {
            return Optional.of(command);
        }
        if (!args[0].equals("server")) {
            return Optional.empty();
        }
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--training-run")) {
                command.trainingRun = true;
                continue;
            }
            if (i + 1 == args.length || args[i + 1].startsWith("-")) {
                return Optional.empty();
            }
            String value = args[++i];
            switch (arg) {
                case "-c", "--config" -> {
                    if (command.configFile != null) {
                        return Optional.empty();
                    }
                    command.configFile = Path.of(value);
                }
                case "-o", "--override" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        return Optional.empty();
                    }
                    command.overrides.put(value.substring(0, eq), value.substring(eq + 1));
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(command);
    }
}
