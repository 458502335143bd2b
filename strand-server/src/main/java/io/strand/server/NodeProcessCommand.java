package io.strand.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs one node of a local cluster as a child process: the same java, JVM
 * options and class path as this process ({@code ./strand}'s heap, GC, JIT flags and class-data
 * archive), then {@code StrandMain server --config FILE}. Stateless.
 */
final class NodeProcessCommand {

    /** JVM options a child must not inherit: a debugger agent would bind the parent's port again. */
    private static final List<String> NOT_INHERITED = List.of("-agentlib:jdwp", "-Xrunjdwp", "-Xdebug",
            "-XX:ArchiveClassesAtExit");

    private NodeProcessCommand() {
    }

    /**
     * @param javaHome this JVM's {@code java.home}
     * @param jvmOptions this JVM's options (its {@code RuntimeMXBean} input arguments)
     * @param classPath this JVM's {@code java.class.path}
     */
    static List<String> of(Path configFile, String javaHome, List<String> jvmOptions, String classPath) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome, "bin", "java").toString());
        for (String option : jvmOptions) {
            if (NOT_INHERITED.stream().noneMatch(option::startsWith)) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", classPath, StrandMain.class.getName(), "server", "--config",
                configFile.toString()));
        return command;
    }
}
