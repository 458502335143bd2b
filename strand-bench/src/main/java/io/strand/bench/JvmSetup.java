package io.strand.bench;

import java.util.List;

/**
 * How one broker's JVM was started, for the report: every option between {@code java} and
 * {@code -cp}, in order, and what class data it starts from, in words.
 *
 * @param broker    which broker, as the report names it
 * @param options   the JVM options of its command line
 * @param classData the class-data archives it maps and where they come from
 */
record JvmSetup(String broker, List<String> options, String classData) {

    JvmSetup {
        options = List.copyOf(options);
    }
}
