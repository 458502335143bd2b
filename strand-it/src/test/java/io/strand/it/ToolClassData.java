package io.strand.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Class data sharing (the JDK's dynamic CDS archives) for the short-lived JVMs that run Kafka's tools
 * on this test's class path ({@link ChildProcess#javaMain}): most of such a JVM's life is loading and
 * verifying the same few thousand classes of Kafka, Scala and their dependencies, every run alike. The
 * first run of a tool writes an archive of the classes it loaded when it exits
 * ({@code -XX:ArchiveClassesAtExit}); later runs of that main class map it ({@code -XX:SharedArchiveFile})
 * instead of loading those classes from the jars.
 *
 * <p>The JDK archives classes of jars only, and refuses to write an archive when a class came from a
 * directory. So the run that writes one gets the class path's jars alone, and is only a run of one of
 * Kafka's tools that names none of this module's classes (which live in {@code target/test-classes});
 * a run that uses the archive gets the same jars first, then the directories: an archive's class path
 * need only be a prefix of the one it is used with. Other runs keep the class path as it is.
 *
 * <p>An archive is named by the main class and hashes of the class path and the JDK, under
 * {@code target/tool-class-data}, so that the build's second run of the tool ITs (against Apache
 * Kafka, same class path) finds it too and a changed class path never meets a stale one. A run writes
 * to a file of its own, which becomes the archive only once that JVM has exited with 0: a JVM never
 * maps a half-written archive, and one that cannot use an archive (a jar changed since) loads its
 * classes from the jars as before. The JDK's CDS log lines are off either way, so that a tool's output
 * stays what the tool printed.
 *
 * <p>Thread-safe: tests may start tools from several threads; one run at a time writes a given archive.
 */
final class ToolClassData {

    private static final Path DIR = Path.of("target", "tool-class-data");
    /** The JDK's CDS messages (a mismatched archive, one not written) stay out of the tool's output. */
    private static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";
    /** Archives some run is writing now. */
    private static final Set<Path> BEING_WRITTEN = ConcurrentHashMap.newKeySet();

    private ToolClassData() {
    }

    /**
     * How one run of {@code mainClass} ({@code command}, on {@code classPath}) shares class data, and what
     * to do once it exited. {@code mayWrite}: whether this run may write the archive if there is none yet
     * (false for a JVM that will be killed rather than exit, which writes nothing).
     */
    static Plan plan(String mainClass, String classPath, List<String> command, boolean mayWrite) {
        List<String> jars = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(entry);
            } else if (!entry.isEmpty()) {
                directories.add(entry);
            }
        }
        String jarsOnly = String.join(File.pathSeparator, jars);
        Path archive = DIR.resolve(mainClass + "-" + Integer.toHexString(jarsOnly.hashCode()) + "-"
                + Integer.toHexString(System.getProperty("java.home").hashCode()) + ".jsa").toAbsolutePath();
        if (Files.isRegularFile(archive)) {
            List<String> jarsFirst = new ArrayList<>(jars);
            jarsFirst.addAll(directories);
            return new Plan(List.of(QUIET, "-XX:SharedArchiveFile=" + archive),
                    String.join(File.pathSeparator, jarsFirst), null, null);
        }
        boolean kafkaTool = mainClass.startsWith("org.apache.kafka.") || mainClass.startsWith("kafka.");
        boolean namesOurClasses = command.stream().anyMatch(arg -> arg.contains("io.strand."));
        if (!mayWrite || !kafkaTool || namesOurClasses || !BEING_WRITTEN.add(archive)) {
            return Plan.NONE;
        }
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            BEING_WRITTEN.remove(archive);
            return Plan.NONE;
        }
        Path written = archive.resolveSibling(archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
        return new Plan(List.of(QUIET, "-XX:ArchiveClassesAtExit=" + written), jarsOnly, written, archive);
    }

    /**
     * JVM options and class path for one run (a null class path: the command's own) and, for a run that
     * writes an archive, where it writes it and what that becomes. {@link #exited} (or {@link #abandoned})
     * settles the archive once; later calls do nothing.
     */
    static final class Plan {

        /** No class data: the command as it is. */
        static final Plan NONE = new Plan(List.of(), null, null, null);

        private final List<String> jvmOptions;
        private final String classPath;
        private final Path written;
        private final Path archive;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Plan(List<String> jvmOptions, String classPath, Path written, Path archive) {
            this.jvmOptions = List.copyOf(jvmOptions);
            this.classPath = classPath;
            this.written = written;
            this.archive = archive;
        }

        List<String> jvmOptions() {
            return jvmOptions;
        }

        /** The class path to run with, or null for the command's own. */
        String classPath() {
            return classPath;
        }

        /** After the JVM has exited: what it wrote becomes the archive if the run succeeded, else it is dropped. */
        void exited(int exitCode) {
            if (archive == null || !settled.compareAndSet(false, true)) {
                return;
            }
            try {
                if (exitCode == 0 && Files.isRegularFile(written) && Files.size(written) > 0) {
                    Files.move(written, archive, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(written);
                }
            } catch (IOException e) {
                // no archive this time: a later run writes one
                try {
                    Files.deleteIfExists(written);
                } catch (IOException ignored) {
                    // left in target/
                }
            } finally {
                BEING_WRITTEN.remove(archive);
            }
        }

        /** For a run that was killed, timed out or never started: whatever it wrote is dropped. */
        void abandoned() {
            exited(-1);
        }
    }
}
