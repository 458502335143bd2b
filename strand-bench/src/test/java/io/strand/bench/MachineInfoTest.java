package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class MachineInfoTest {

    @Test
    void readsTotalMemoryInBytes() {
        assertThat(MachineInfo.parseMemTotalBytes("MemTotal:       24683148 kB\nMemFree:  1 kB\n"))
                .isEqualTo(24_683_148L * 1024);
    }

    @Test
    void readsFirstCpuModel() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n"
                + "processor\t: 1\nmodel name\t: Other\n";

        assertThat(MachineInfo.parseCpuModel(cpuinfo)).isEqualTo("Intel(R) Xeon(R) Processor");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void describesThisMachine() {
        MachineInfo machine = MachineInfo.current();

        assertThat(machine.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(machine.memoryBytes()).isPositive();
        assertThat(machine.jdk()).contains(System.getProperty("java.runtime.version"));
    }
}
