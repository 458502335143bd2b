package io.strand.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The commands that run Apache Kafka from its jars: {@code kafka.Kafka server.properties} (a node) and
 * {@code kafka.tools.StorageTool format} (its storage, run to its end), with the JDK that runs this code.
 * Stateless.
 */
final class KafkaNodeLauncher {

    static final String MAIN_CLASS = "kafka.Kafka";
    static final String STORAGE_TOOL_CLASS = "kafka.tools.StorageTool";
    private static final long FORMAT_TIMEOUT_MS = 120_000;

    private KafkaNodeLauncher() {
    }

    /** {@code <prefix> java <jvmOptions> -cp <classPath> kafka.Kafka <config>}. */
    static List<String> serverCommand(List<String> prefix, List<String> jvmOptions, String classPath, Path config) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(java(jvmOptions, classPath, MAIN_CLASS));
        command.add(config.toString());
        return command;
    }

    /** Formats the storage {@code config} names with cluster id {@code clusterId}; its output goes to {@code log}. */
    static void format(String classPath, Path config, String clusterId, Path log) {
        List<String> command = java(List.of("-Xmx256m"), classPath, STORAGE_TOOL_CLASS);
        command.addAll(List.of("format", "--config", config.toString(), "--cluster-id", clusterId));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(FORMAT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("Kafka's storage format did not end in " + FORMAT_TIMEOUT_MS + " ms: " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Kafka's storage format exited " + process.exitValue() + ": "
                        + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format with " + config, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted formatting with " + config, e);
        }
    }

    /** Writes back every dirty page of the filesystem {@code path} is on ({@code sync -f}, syncfs(2)). */
    static void syncFilesystem(Path path) {
        try {
            Process sync = new ProcessBuilder("sync", "-f", path.toString()).inheritIO().start();
            if (!sync.waitFor(60, TimeUnit.SECONDS) || sync.exitValue() != 0) {
                throw new IllegalStateException("sync -f " + path + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted syncing " + path, e);
        }
    }

    private static List<String> java(List<String> jvmOptions, String classPath, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass));
        return command;
    }
}
