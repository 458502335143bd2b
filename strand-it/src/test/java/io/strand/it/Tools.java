package io.strand.it;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Checks that a third-party client a test class drives is installed. On a CI machine
 * ({@code CI=true}) a missing tool fails the class, since the CI script installs it; on a
 * developer's machine the class is skipped with the hint how to install it. Stateless.
 */
final class Tools {

    private Tools() {
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails on CI, skips elsewhere, unless {@code executable} exists and may be run. */
    static void requireExecutable(Path executable, String installHint) {
        require(Files.isExecutable(executable), executable + " is missing; install " + installHint);
    }

    /** Whether {@code command} can be started and exits with 0 within ten seconds. */
    static boolean runs(String... command) {
        try {
            return ChildProcess.of(command).timeout(Duration.ofSeconds(10)).run().exitCode() == 0;
        } catch (UncheckedIOException | AssertionError e) {
            return false;
        }
    }

    /** Fails on CI, skips elsewhere, unless {@code present}. */
    static void require(boolean present, String whatIsMissing) {
        if (onCi()) {
            if (!present) {
                throw new AssertionError(whatIsMissing);
            }
        } else {
            assumeThat(present).as(whatIsMissing).isTrue();
        }
    }
}
