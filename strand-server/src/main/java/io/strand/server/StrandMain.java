package io.strand.server;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strand} command. With no subcommand it runs a node with the embedded defaults, so that
 * {@code ./strand} alone gives a working broker on localhost:9092.
 */
@Command(name = "strand", mixinStandardHelpOptions = true, version = "Strand 0.1.0",
        description = "An event streaming platform that speaks the Apache Kafka protocol.",
        subcommands = {ServerCommand.class, ClusterCommand.class})
public final class StrandMain implements Callable<Integer> {

    /** The logging backend Strand ships; naming it spares slf4j a scan of every jar for one. */
    private static final String LOG_PROVIDER = "io.strand.server.logging.StrandLogProvider";

    @Override
    public Integer call() throws Exception {
        return new ServerCommand().call();
    }

    public static void main(String[] args) {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", LOG_PROVIDER);
            // Otherwise slf4j reports, on every start, that it loaded the provider it was told to.
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
        Optional<ServerCommand> nodeStart = NodeStartArgs.parse(args);
        int exit;
        if (nodeStart.isPresent()) {
            buildPlatformMBeanServerAside();
            exit = runNode(nodeStart.get());
        } else {
            exit = new CommandLine(new StrandMain()).execute(args);
        }
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /**
     * The metadata quorum registers an MBean before its first election, and building the JVM's
     * platform MBean server (every platform MXBean, found by reflection) takes ~50 ms of a ~400 ms
     * start. Built on its own thread while the configuration and log directories load, it is
     * usually ready by then; {@link ManagementFactory#getPlatformMBeanServer} makes a caller that
     * comes earlier wait for the one being built.
     */
    private static void buildPlatformMBeanServerAside() {
        Thread builder = new Thread(ManagementFactory::getPlatformMBeanServer, "strand-mbean-server-init");
        builder.setDaemon(true);
        builder.start();
    }

    /** As picocli runs a command: a failure is printed with its stack trace and exits with 1. */
    private static int runNode(ServerCommand command) {
        try {
            return command.call();
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }
}
