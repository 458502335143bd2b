package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checked-in corpus ({@code corpus/}) against a fresh Apache Kafka 4.3.1 and a fresh Strand: fails on
 * any difference {@code declared.json} does not declare, the report (also in {@code target/fidelity-report.md})
 * naming each with the request that showed it.
 */
class CorpusIT {

    @Test
    void theCorpusFindsNoUndeclaredDifference() throws Exception {
        FidelityMain.Outcome outcome = FidelityMain.run(Path.of("corpus"), Path.of("declared.json"));
        java.nio.file.Files.writeString(Path.of("target", "fidelity-report.md"), outcome.report());
        System.out.println(outcome.report());

        assertThat(outcome.undeclared()).as(outcome.report()).isZero();
    }
}
