package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void rejectsTruncatedStat() {
        assertThatThrownBy(() -> ProcStats.parseCpuTicks("4242 (java) S 1 4242"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fields");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();

        assertThat(ProcStats.residentBytes(pid)).isPositive();
        assertThat(ProcStats.cpuSeconds(pid)).isPositive();
    }
}
