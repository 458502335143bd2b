package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DiskLab} promises, on its own and under a cluster: a filled filesystem answers ENOSPC and
 * takes writes again once emptied; a shut-down one answers EIO and is whole again after a remount; a lab
 * left behind by a crash is replaced; close leaves no mount or loop device. Then the {@link Nemesis}'s
 * disk faults against a Strand cluster whose data directories are on the lab: each happens, each heals,
 * and every acknowledged record reads back.
 */
class DiskLabIT {

    private static final String PREFIX = System.getProperty("chaos.lab.prefix", "strandlt");
    private static final int SUBNET = Integer.getInteger("chaos.lab.subnet", 2);
    private static final long SIZE = 128L << 20;

    @TempDir
    Path dir;

    @Test
    void aFilesystemFillsUpAndFailsUntilHealed() throws Exception {
        requireDisks();
        try (DiskLab disks = DiskLab.create(PREFIX, dir, 2, SIZE)) {
            Path data = disks.dataDir(1);
            Files.writeString(data.resolve("kept"), "kept", StandardOpenOption.CREATE, StandardOpenOption.SYNC);

            disks.fill(1);
            assertThat(disks.usableSpace(1)).isLessThan(64 * 1024);
            assertThatThrownBy(() -> writeSynced(data.resolve("more"), 1 << 20))
                    .isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
            writeSynced(disks.dataDir(2).resolve("more"), 1 << 20); // the other node's disk is untouched
            disks.unfill(1);
            writeSynced(data.resolve("more"), 1 << 20);

            disks.shutDown(1);
            assertThatThrownBy(() -> Files.readString(data.resolve("kept")))
                    .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
            assertThatThrownBy(() -> writeSynced(data.resolve("after"), 4096)).isInstanceOf(IOException.class);
            disks.remount(1);
            assertThat(Files.readString(data.resolve("kept"))).isEqualTo("kept");
            writeSynced(data.resolve("after"), 4096);
        }
        assertThat(leftovers()).as("loop devices and mounts after close").isEmpty();
    }

    @Test
    void aLabLeftBehindIsReplaced() throws Exception {
        requireDisks();
        DiskLab crashed = DiskLab.create(PREFIX, dir.resolve("crashed"), 1, 32L << 20); // never closed
        assertThat(leftovers()).isNotEmpty();
        try (DiskLab disks = DiskLab.create(PREFIX, dir, 1, 32L << 20)) {
            assertThat(leftovers()).hasSize(1);
            writeSynced(disks.dataDir(1).resolve("file"), 4096);
        }
        assertThat(leftovers()).isEmpty();
        crashed.close(); // nothing of it is left: a no-op
    }

    @Test
    void strandNodesComeBackFromAFullAndAFailingDisk() throws Exception {
        requireDisks();
        FaultScheduleIT.requireLab(PREFIX);
        try (NetworkLab lab = NetworkLab.create(PREFIX, SUBNET, 3);
             DiskLab disks = DiskLab.create(PREFIX, dir.resolve("disks"), 3, SIZE);
             StrandCluster strand = startStrand(lab, disks, dir.resolve("nodes"));
             Admin admin = KafkaChaosClusterIT.admin(new StrandChaosCluster(strand))) {
            ChaosCluster cluster = new StrandChaosCluster(strand);
            admin.createTopics(List.of(new NewTopic(KafkaChaosClusterIT.TOPIC, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
            Nemesis nemesis = new Nemesis(lab, cluster, disks);
            List<String> acked = new ArrayList<>();
            try (KafkaProducer<String, String> producer = KafkaChaosClusterIT.producer(cluster)) {
                acked.addAll(KafkaChaosClusterIT.send(producer, "before", 50));
                int victim = 1 + KafkaChaosClusterIT.leaderOf(admin) % 3; // a follower

                Nemesis.Fault full = nemesis.diskFull(victim);
                full.start();
                assertThat(disks.usableSpace(victim)).isLessThan(64 * 1024);
                acked.addAll(KafkaChaosClusterIT.send(producer, "full", 1_000, 4_096)); // the follower needs new blocks
                System.out.println("strand node " + victim + " with a full disk: alive " + cluster.isAlive(victim));
                full.stop();
                assertThat(disks.usableSpace(victim)).isGreaterThan(SIZE / 2);
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.isAlive(victim));

                Nemesis.Fault failing = nemesis.diskErrors(victim);
                failing.start();
                assertThatThrownBy(() -> writeSynced(disks.dataDir(victim).resolve("probe"), 4096))
                        .isInstanceOf(IOException.class);
                acked.addAll(KafkaChaosClusterIT.send(producer, "failing", 50));
                System.out.println("strand node " + victim + " with a failing disk: alive " + cluster.isAlive(victim));
                failing.stop();
                assertThat(cluster.isAlive(victim)).isTrue();
                acked.addAll(KafkaChaosClusterIT.send(producer, "after", 50));
            }
            assertThat(KafkaChaosClusterIT.readAll(cluster, acked.size())).containsExactlyElementsOf(acked);
            assertThat(nemesis.history()).anyMatch(line -> line.contains("stop: I/O errors on the disk of node"));
        }
        assertThat(leftovers()).isEmpty();
    }

    private static StrandCluster startStrand(NetworkLab lab, DiskLab disks, Path dir) {
        StrandCluster.Builder builder = StrandCluster.builder(dir).nodes(3)
                .property("broker.session.timeout.ms", "3000")
                .property("broker.heartbeat.interval.ms", "500");
        for (int node = 1; node <= 3; node++) {
            builder.host(node, lab.address(node)).commandPrefix(node, lab.execPrefix(node))
                    .nodeProperty(node, "log.dirs", disks.dataDir(node).resolve("logs").toString());
        }
        return builder.start();
    }

    private static void writeSynced(Path file, int bytes) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** This prefix's loop devices (by their image's name). */
    private static List<String> leftovers() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("losetup", "-l", "-n", "-O", "NAME,BACK-FILE").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        List<String> found = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains("/" + PREFIX + "-disk-n")) {
                found.add(line.strip());
            }
        }
        return found;
    }

    static void requireDisks() {
        String missing = DiskLab.unusableBecause();
        if (missing != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + " (CI=true: the disk lab must run)");
        }
        assumeThat(missing).as(missing + " (set CI=true to fail instead of skipping)").isNull();
    }
}
