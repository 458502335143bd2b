package io.strand.server;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strand} command. With no subcommand it runs a node with the embedded defaults, so that
 * {@code ./strand} alone gives a working broker on localhost:9092.
 */
@Command(name = "strand", mixinStandardHelpOptions = true, version = "Strand 0.1.0",
        description = "An event streaming platform that speaks the Apache Kafka protocol.",
        subcommands = {ServerCommand.class})
public final class StrandMain implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return new ServerCommand().call();
    }

    public static void main(String[] args) {
        int exit = new CommandLine(new StrandMain()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }
}
