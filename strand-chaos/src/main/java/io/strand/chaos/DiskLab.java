package io.strand.chaos;

import io.strand.chaos.Commands.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One small ext4 filesystem per node, each in a file of its own attached to a loop device and mounted
 * before the nodes start, so that a node's data directory (its log dirs and metadata log) can fill up
 * or fail on its own.
 *
 * <p>Layout, for prefix {@code p} in directory {@code d}: node {@code n}'s image is {@code d/p-disk-n<n>.img}
 * (sparse, {@code size} bytes, no blocks reserved for root), mounted at {@code d/p-disk-n<n>}; the node's
 * data directory is {@link #dataDir(int)} inside it. Faults: {@link #fill(int)} takes every free block
 * with a filler file ({@code ENOSPC} from then on) and {@link #unfill(int)} removes it;
 * {@link #shutDown(int)} is ext4's shutdown ioctl (every later operation fails with {@code EIO}) and
 * {@link #remount(int)} unmounts and mounts again, replaying the journal, once nothing holds the
 * filesystem open.
 *
 * <p>{@link #create} first detaches whatever a crashed earlier lab with the same prefix left (its
 * mounts and loop devices, found by the image's name); {@link #close()} unmounts, detaches and deletes
 * the images. Needs root, util-linux ({@code losetup}, {@code mount}), e2fsprogs and python3 (for the
 * ioctl). One thread (a {@link Nemesis}) drives the faults.
 */
public final class DiskLab implements AutoCloseable {

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,9}");
    private static final long COMMAND_TIMEOUT_MS = 60_000;
    /** ext4's EXT4_IOC_SHUTDOWN, with flag 1: flush the journal, then fail every operation. */
    private static final String SHUTDOWN = "import fcntl, os, struct, sys\n"
            + "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            + "fcntl.ioctl(fd, 0x8004587D, struct.pack('I', 1))\n";

    private final String prefix;
    private final Path dir;
    private final int nodes;
    private final long size;
    private final String[] devices;
    private boolean closed;

    private DiskLab(String prefix, Path dir, int nodes, long size) {
        this.prefix = prefix;
        this.dir = dir.toAbsolutePath();
        this.nodes = nodes;
        this.size = size;
        this.devices = new String[nodes + 1];
    }

    /**
     * Makes and mounts {@code nodes} filesystems of {@code size} bytes each (at least 32 MiB) in {@code dir},
     * after removing what a lab with the same prefix left.
     */
    public static DiskLab create(String prefix, Path dir, int nodes, long size) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a lab prefix is a lower-case letter and up to 9 letters or digits, not "
                    + prefix);
        }
        if (nodes < 1 || size < (32L << 20)) {
            throw new IllegalArgumentException("nodes " + nodes + " (at least 1) or size " + size
                    + " (at least 32 MiB) out of range");
        }
        DiskLab lab = new DiskLab(prefix, dir, nodes, size);
        lab.removeLeftovers();
        try {
            lab.build();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /** Why no disk lab can be made here, or null if one can: not root, or no losetup, mkfs.ext4 or python3. */
    public static String unusableBecause() {
        Result id = tryRun(List.of("id", "-u"));
        if (id == null || !id.out().strip().equals("0")) {
            return "the disk lab needs root";
        }
        for (String tool : List.of("losetup", "mkfs.ext4", "mount", "umount", "fallocate", "python3")) {
            Result which = tryRun(List.of("which", tool));
            if (which == null || which.exit() != 0) {
                return "the disk lab needs " + tool;
            }
        }
        return null;
    }

    private void build() {
        try {
            Files.createDirectories(dir);
            for (int node = 1; node <= nodes; node++) {
                Path image = image(node);
                Files.deleteIfExists(image);
                run("truncate", "-s", Long.toString(size), image.toString());
                devices[node] = run("losetup", "-f", "--show", image.toString()).strip();
                run("mkfs.ext4", "-q", "-m", "0", "-E", "lazy_itable_init=0,lazy_journal_init=0", devices[node]);
                Files.createDirectories(mountPoint(node));
                run("mount", "-t", "ext4", devices[node], mountPoint(node).toString());
                Files.createDirectories(dataDir(node));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unmounts and detaches every loop device whose backing file is named like this lab's images. */
    private void removeLeftovers() {
        Result loops = tryRun(List.of("losetup", "-l", "-n", "-O", "NAME,BACK-FILE"));
        if (loops == null) {
            return;
        }
        Pattern ours = Pattern.compile(".*/" + prefix + "-disk-n[0-9]+\\.img( \\(deleted\\))?");
        for (String line : loops.out().split("\n")) {
            String[] fields = line.strip().split("\\s+", 2);
            if (fields.length == 2 && ours.matcher(fields[1]).matches()) {
                unmountDevice(fields[0]);
                tryRun(List.of("losetup", "-d", fields[0]));
            }
        }
    }

    /** Unmounts every mount of {@code device}, lazily if it is busy. */
    private static void unmountDevice(String device) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 1 && fields[0].equals(device)) {
                    Result umount = tryRun(List.of("umount", fields[1]));
                    if (umount == null || umount.exit() != 0) {
                        tryRun(List.of("umount", "-l", fields[1]));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int nodes() {
        return nodes;
    }

    /** Node {@code node}'s data directory, on its own filesystem: give it as the node's data or log directory. */
    public Path dataDir(int node) {
        return mountPoint(node).resolve("data");
    }

    /** Where node {@code node}'s filesystem is mounted. */
    public Path mountPoint(int node) {
        checkNode(node);
        return dir.resolve(prefix + "-disk-n" + node);
    }

    private Path image(int node) {
        checkNode(node);
        return dir.resolve(prefix + "-disk-n" + node + ".img");
    }

    private Path filler(int node) {
        return mountPoint(node).resolve("filler");
    }

    /** Takes every free block of node {@code node}'s filesystem: from now on a write that needs a block gets ENOSPC. */
    public void fill(int node) {
        Path filler = filler(node);
        try {
            long free = Files.getFileStore(mountPoint(node)).getUsableSpace();
            // fallocate may need a few blocks of metadata of its own; what it leaves, dd takes.
            tryRun(List.of("fallocate", "-l", Long.toString(Math.max(4096, free - (1 << 20))), filler.toString()));
            tryRun(List.of("dd", "if=/dev/zero", "of=" + filler + ".tail", "bs=4096", "conv=fsync"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes what {@link #fill(int)} wrote. */
    public void unfill(int node) {
        try {
            Files.deleteIfExists(filler(node));
            Files.deleteIfExists(Path.of(filler(node) + ".tail"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes a writer can still take on node {@code node}'s filesystem. */
    public long usableSpace(int node) {
        try {
            return Files.getFileStore(mountPoint(node)).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ext4's shutdown of node {@code node}'s filesystem: every later operation on it fails with EIO. */
    public void shutDown(int node) {
        run("python3", "-c", SHUTDOWN, mountPoint(node).toString());
    }

    /**
     * Unmounts node {@code node}'s filesystem and mounts it again (the journal is replayed), which heals a
     * {@link #shutDown(int)}. Whatever had it open must be gone first.
     */
    public void remount(int node) {
        checkNode(node);
        String mountPoint = mountPoint(node).toString();
        unmountElsewhere(mountPoint);
        run("umount", mountPoint);
        run("mount", "-t", "ext4", devices[node], mountPoint);
    }

    /**
     * Unmounts {@code mountPoint} in every other mount namespace that has a copy of it: a process started
     * with {@code ip netns exec} gets a namespace of its own, holding a copy of every mount (where the
     * root's mounts are private, an unmount does not reach it), and while one copy is left the kernel
     * keeps the shut-down filesystem and a new mount of the device is that same one.
     */
    private static void unmountElsewhere(String mountPoint) {
        String own = namespaceOf("self");
        Set<String> done = new HashSet<>();
        done.add(own);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.toList()) {
                String pid = process.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String namespace = namespaceOf(pid);
                if (namespace == null || !done.add(namespace) || !mounts(pid, mountPoint)) {
                    continue;
                }
                Result umount = tryRun(List.of("nsenter", "-t", pid, "-m", "umount", mountPoint));
                if (umount == null || umount.exit() != 0) {
                    tryRun(List.of("nsenter", "-t", pid, "-m", "umount", "-l", mountPoint));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String namespaceOf(String pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid, "ns", "mnt")).toString();
        } catch (IOException e) {
            return null; // the process is gone
        }
    }

    private static boolean mounts(String pid, String mountPoint) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 1 && fields[1].equals(mountPoint)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkNode(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("no node " + node + " in a disk lab of " + nodes);
        }
    }

    /** Unmounts (lazily if busy) and detaches every filesystem and deletes the images. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeLeftovers();
        for (int node = 1; node <= nodes; node++) {
            try {
                Files.deleteIfExists(image(node));
                Files.deleteIfExists(mountPoint(node));
            } catch (IOException e) {
                // a mount point still busy (lazily unmounted): left for the directory's owner
            }
        }
    }

    private static String run(String... command) {
        return Commands.run(COMMAND_TIMEOUT_MS, command);
    }

    private static Result tryRun(List<String> command) {
        return Commands.tryRun(COMMAND_TIMEOUT_MS, command);
    }

    @Override
    public String toString() {
        List<String> mounts = new ArrayList<>();
        for (int node = 1; node <= nodes; node++) {
            mounts.add(devices[node] + " on " + mountPoint(node));
        }
        return "DiskLab" + mounts;
    }
}
