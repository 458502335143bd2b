package io.strand.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * How one broker's JVM was started, for the report: every option between {@code java} and
 * {@code -cp}, in order, and what class data it starts from, in words. An archive option keeps only
 * the archive's file name ({@code -XX:SharedArchiveFile=strand.jsa}): where it lies is the machine's,
 * and reports are kept in the repository; {@code classData} says which archive it is.
 *
 * @param broker    which broker, as the report names it
 * @param options   the JVM options of its command line
 * @param classData the class-data archives it maps and where they come from
 */
record JvmSetup(String broker, List<String> options, String classData) {

    private static final List<String> ARCHIVE_OPTIONS = List.of("-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit=");

    JvmSetup {
        options = options.stream().map(JvmSetup::withoutArchiveDirectory).toList();
    }

    private static String withoutArchiveDirectory(String option) {
        for (String prefix : ARCHIVE_OPTIONS) {
            if (option.startsWith(prefix) && option.length() > prefix.length()) {
                return prefix + Path.of(option.substring(prefix.length())).getFileName();
            }
        }
        return option;
    }
}
