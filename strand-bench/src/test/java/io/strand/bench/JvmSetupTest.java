package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JvmSetupTest {

    @Test
    void archiveOptionsKeepOnlyTheArchivesFileNameAndOtherOptionsStayAsTheyAre() {
        JvmSetup setup = new JvmSetup("Strand", List.of("-Xmx1g", "-XX:SharedArchiveFile=/some/dir/target/strand.jsa",
                "-XX:ArchiveClassesAtExit=/var/tmp/run-1/kafka-appcds.jsa", "-Xlog:cds=off"), "its own archive");

        assertThat(setup.options()).containsExactly("-Xmx1g", "-XX:SharedArchiveFile=strand.jsa",
                "-XX:ArchiveClassesAtExit=kafka-appcds.jsa", "-Xlog:cds=off");
    }
}
