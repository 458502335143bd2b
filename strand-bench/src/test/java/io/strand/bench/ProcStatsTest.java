package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ProcStatsTest {

    @Test
    void readsResidentSetFromStatusInBytes() {
        String status = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmRSS:\t  153600 kB\nRssAnon:\t  100000 kB\n";

        assertThat(ProcStats.parseResidentBytes(status)).isEqualTo(153_600L * 1024);
    }

    @Test
    void rejectsStatusWithoutResidentSet() {
        assertThatThrownBy(() -> ProcStats.parseResidentBytes("Name:\tkthreadd\nState:\tS (sleeping)\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VmRSS");
    }

    @Test
    void sumsUserAndSystemTicksCountingFieldsAfterTheCommand() {
        // comm "(my (odd) java)" holds spaces and parentheses; utime=1234 (field 14), stime=567 (field 15)
        String stat = "4242 (my (odd) java) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 567 0 0 20 0 40 0 100 5000000 38000";

        assertThat(ProcStats.parseCpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void sumsTheTicksOfTheChildrenWaitedFor() {
        // cutime=70 (field 16), cstime=8 (field 17), after utime=1234 and stime=567
        String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 567 70 8 20 0 40 0 100 5000000 38000";

        assertThat(ProcStats.parseChildrenCpuTicks(stat)).isEqualTo(70 + 8);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void countsAChildsCpuTimeOnceItHasBeenWaitedFor() throws Exception {
        double before = ProcStats.childrenCpuSeconds();
        // A child that counts to 300,000 in the shell (a few tenths of a second of CPU), then exits.
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
        assertThat(child.waitFor()).isZero();

        assertThat(ProcStats.childrenCpuSeconds() - before).isGreaterThanOrEqualTo(0.02);
    }

    @Test
    void rejectsTruncatedStat() {
        assertThatThrownBy(() -> ProcStats.parseCpuTicks("4242 (java) S 1 4242"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fields");
    }

    @Test
    void findsAFileMappedByTheProcess() {
        String maps = """
                7ffb00000-7ffb75000 rw-p 00c77000 fe:00 328258                           /usr/lib/jvm/java-17/lib/server/classes.jsa
                7f4a2fbc7000-7f4a2fbe2000 rw-p 00001000 fe:00 2150956                    /opt/strand/strand-server/target/strand.jsa
                7f4a30000000-7f4a30021000 rw-p 00000000 00:00 0
                """;

        assertThat(ProcStats.parseMapsFile(maps, Path.of("/opt/strand/strand-server/target/strand.jsa"))).isTrue();
        assertThat(ProcStats.parseMapsFile(maps, Path.of("/opt/strand/strand-server/target/other.jsa"))).isFalse();
        assertThat(ProcStats.parseMapsFile(maps, Path.of("/target/strand.jsa"))).isFalse();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();

        assertThat(ProcStats.residentBytes(pid)).isPositive();
        assertThat(ProcStats.cpuSeconds(pid)).isPositive();
    }
}
