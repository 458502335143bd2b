package io.strand.chaos;

import io.strand.chaos.Commands.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * N Linux network namespaces, one per node, joined by veth links to a bridge, with packet filters
 * that cut the links between nodes on demand.
 *
 * <p>Layout, for a lab with prefix {@code p} and subnet {@code s}: namespaces {@code p-n1} … {@code p-nN},
 * each with loopback up and an {@code eth0} at {@code 10.213.s.<node>/24}; the other end of each
 * veth ({@code p-v<node>}) is a port of the bridge {@code p-br}. The bridge lives in the root
 * namespace with the address {@code 10.213.s.254/24}, so that clients running in the test's own
 * (root) namespace reach every node through it without a veth of their own, and a cut between two
 * nodes never cuts a client off.
 *
 * <p>Cuts are nftables rules in the receiving node's namespace (table {@code inet strand_lab},
 * chain {@code input}): {@link #drop(int, int)} drops what one node sends another, silently, as a
 * broken network does (no reset, no ICMP error); a symmetric cut is a drop each way. Only packets
 * between nodes are matched. {@link #loss(int, int, int)} drops a share of what one node sends another
 * the same way ({@code numgen random}).
 *
 * <p>Link shaping is a queueing discipline on a node's {@code eth0}, so it acts on everything the node
 * sends (to nodes and clients alike): {@link #slow(int, int)} a token bucket (tbf) with a deep queue,
 * which delays under load; {@link #delay(int, int, int, long)} and {@link #reorder(int, int, int, long)}
 * tc netem where the kernel has it. Where it has not, they use a {@link PacketDelayer} instead: an
 * iptables rule in the node's namespace (table {@code mangle}, chain {@code PREROUTING}, {@code -i eth0})
 * sends every packet the node receives from nodes and clients (not loopback) to a netfilter queue with
 * {@code --queue-bypass}, and a {@code delayq} process in that namespace lets each go after its delay.
 * It acts on what the node receives, not on what it sends, because a packet a sender's own namespace
 * holds still counts against its TCP socket's small-queue limit (TSQ), which would throttle the socket
 * to a couple of segments per delay; held on arrival, packets no longer belong to their sender's socket,
 * and a connection sees the same longer round trip it would over a slow link. Either way of delaying
 * needs what {@link #delayUnavailableBecause()} checks.
 *
 * <p>{@link #create} first removes whatever a crashed earlier lab with the same prefix left
 * (namespaces, bridge, veths, delayers still running in its namespaces); {@link #close()} removes
 * everything it made. Needs root, iproute2's {@code ip} and nftables' {@code nft} (see
 * {@link #unusableBecause(String)}); delay and reordering without netem also iptables, gcc and
 * libnetfilter_queue.
 *
 * <p>Thread-safe in the sense that every change is one {@code ip}/{@code nft} command; the rules a
 * cut adds and {@link #healAll()} removes are not coordinated between threads: one thread (a
 * {@link Nemesis}) should drive the cuts.
 */
public final class NetworkLab implements AutoCloseable {

    /** Prefixes are short (an interface name has at most 15 characters) and safe in a command line. */
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,9}");

    private static final String TABLE = "strand_lab";
    private static final long COMMAND_TIMEOUT_MS = 20_000;

    private final String prefix;
    private final int subnet;
    private final int nodes;
    private boolean closed;
    /** Null when netem works; a reason when it does not; unset until first asked. */
    private volatile String netemMissing;
    private volatile boolean netemProbed;
    /** Null when delay and reordering work (netem or a delayer); a reason when not; unset until first asked. */
    private volatile String delayMissing;
    private volatile boolean delayProbed;
    /** The delayer running in each node's namespace, with its queueing rule in place (guarded by this). */
    private final Map<Integer, PacketDelayer> delayers = new HashMap<>();

    private NetworkLab(String prefix, int subnet, int nodes) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /**
     * Why no lab can be made here, or null if one can: not root, no {@code ip netns}, no {@code nft},
     * or a kernel without nf_tables. Makes and removes a probe namespace {@code <prefix>-probe}.
     */
    public static String unusableBecause(String prefix) {
        checkPrefix(prefix);
        String user = System.getProperty("user.name");
        Result id = tryRun(List.of("id", "-u"));
        if (id == null || !id.out().strip().equals("0")) {
            return "the network lab needs root (user " + user + ")";
        }
        if (tryRun(List.of("ip", "-V")) == null) {
            return "the network lab needs iproute2's ip";
        }
        if (tryRun(List.of("nft", "--version")) == null) {
            return "the network lab needs nftables' nft (apt-get install nftables)";
        }
        String probe = prefix + "-probe";
        tryRun(List.of("ip", "netns", "del", probe));
        Result add = tryRun(List.of("ip", "netns", "add", probe));
        if (add == null || add.exit() != 0) {
            return "ip netns add fails: " + (add == null ? "" : add.out().strip());
        }
        try {
            Result table = tryRun(List.of("ip", "netns", "exec", probe, "nft", "add", "table", "inet", TABLE));
            if (table == null || table.exit() != 0) {
                return "nft cannot make a table in a namespace (a kernel without nf_tables?): "
                        + (table == null ? "" : table.out().strip());
            }
            return null;
        } finally {
            tryRun(List.of("ip", "netns", "del", probe));
        }
    }

    /**
     * Makes a lab of {@code nodes} namespaces on subnet 10.213.{@code subnet}.0/24, after removing what a
     * lab with the same prefix left. Labs that run at once need distinct prefixes and subnets.
     */
    public static NetworkLab create(String prefix, int subnet, int nodes) {
        checkPrefix(prefix);
        if (subnet < 0 || subnet > 255 || nodes < 1 || nodes > 253) {
            throw new IllegalArgumentException("subnet " + subnet + " (0-255) or nodes " + nodes
                    + " (1-253) out of range");
        }
        NetworkLab lab = new NetworkLab(prefix, subnet, nodes);
        lab.removeLeftovers();
        try {
            lab.build();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private static void checkPrefix(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a lab prefix is a lower-case letter and up to 9 letters or digits, not "
                    + prefix);
        }
    }

    private void build() {
        String bridge = bridge();
        run("ip", "link", "add", bridge, "type", "bridge");
        run("ip", "addr", "add", "10.213." + subnet + ".254/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        for (int node = 1; node <= nodes; node++) {
            String ns = namespace(node);
            String veth = prefix + "-v" + node;
            String peer = prefix + "-p" + node;
            run("ip", "netns", "add", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", peer);
            run("ip", "link", "set", peer, "netns", ns);
            run("ip", "-n", ns, "link", "set", peer, "name", "eth0");
            run("ip", "-n", ns, "addr", "add", address(node) + "/24", "dev", "eth0");
            run("ip", "-n", ns, "link", "set", "eth0", "up");
            run("ip", "link", "set", veth, "master", bridge);
            run("ip", "link", "set", veth, "up");
            nft(node, "add", "table", "inet", TABLE);
            nft(node, "add", "chain", "inet", TABLE, "input",
                    "{ type filter hook input priority 0 ; policy accept ; }");
        }
    }

    /**
     * Removes the namespaces, veths and bridge named with this lab's prefix, whoever made them, and kills
     * the packet delayers still running in those namespaces (which would keep them alive).
     */
    private void removeLeftovers() {
        Result namespaces = tryRun(List.of("ip", "netns", "list"));
        if (namespaces != null) {
            for (String line : namespaces.out().split("\n")) {
                String name = line.strip().split("\\s+")[0];
                if (name.startsWith(prefix + "-")) {
                    killDelayers(name);
                    tryRun(List.of("ip", "netns", "del", name));
                }
            }
        }
        Result links = tryRun(List.of("ip", "-o", "link", "show"));
        if (links != null) {
            for (String line : links.out().split("\n")) {
                // "7: p-v1@if6: <...>": the name sits between the first ": " and '@' or ':'
                String[] fields = line.split(": ", 3);
                if (fields.length < 2) {
                    continue;
                }
                String name = fields[1].split("@")[0];
                if (name.startsWith(prefix + "-")) {
                    tryRun(List.of("ip", "link", "del", name));
                }
            }
        }
    }

    public int nodes() {
        return nodes;
    }

    /** Node {@code node}'s namespace. */
    public String namespace(int node) {
        checkNode(node);
        return prefix + "-n" + node;
    }

    /** Node {@code node}'s address, 10.213.{@code subnet}.{@code node}. */
    public String address(int node) {
        checkNode(node);
        return "10.213." + subnet + "." + node;
    }

    /** The words that run a command inside node {@code node}'s namespace ({@code ip netns exec} execs it in place). */
    public List<String> execPrefix(int node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    private String bridge() {
        return prefix + "-br";
    }

    /** From now on, every packet node {@code from} sends node {@code to} is dropped on arrival. */
    public void drop(int from, int to) {
        checkNode(from);
        if (from == to) {
            throw new IllegalArgumentException("a node cannot be cut from itself: " + from);
        }
        nft(to, "add", "rule", "inet", TABLE, "input", "ip", "saddr", address(from), "drop");
    }

    /**
     * From now on, each packet node {@code from} sends node {@code to} is dropped on arrival with
     * probability {@code percent}/100, independently of the others.
     */
    public void loss(int from, int to, int percent) {
        checkNode(from);
        if (from == to) {
            throw new IllegalArgumentException("a node has no link to itself: " + from);
        }
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("a loss is 1 to 100 percent, not " + percent);
        }
        nft(to, "add", "rule", "inet", TABLE, "input", "ip", "saddr", address(from),
                "numgen", "random", "mod", "100", "<=", Integer.toString(percent - 1), "drop"); // 0-99: "< 100" is refused
    }

    /**
     * From now on, node {@code node} sends at most {@code kbitPerSecond}, queueing what exceeds it
     * (up to two seconds' worth) rather than dropping it: under load, its packets wait.
     */
    public void slow(int node, int kbitPerSecond) {
        checkNode(node);
        if (kbitPerSecond < 8) {
            throw new IllegalArgumentException("a rate below 8 kbit/s does not let a packet through: " + kbitPerSecond);
        }
        tc(node, "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", kbitPerSecond + "kbit",
                "burst", "16kb", "latency", "2s");
    }

    /**
     * From now on, node {@code node}'s packets are {@code millis} ms late, give or take {@code jitterMillis}
     * (uniformly; a jitter lets packets overtake each other): with tc netem what it sends, otherwise, with a
     * {@link PacketDelayer} whose draws {@code seed} names, what it receives ({@link #delayedTraffic(int)}).
     * Replaces a delay or reordering already in place on the node. (netem draws from a random of its own:
     * there the seed names nothing.)
     *
     * @throws UnsupportedOperationException when {@link #delayUnavailableBecause()} names a reason
     */
    public void delay(int node, int millis, int jitterMillis, long seed) {
        checkNode(node);
        if (millis < 0 || jitterMillis < 0) {
            throw new IllegalArgumentException("a delay and its jitter are at least 0 ms, not " + millis + " and "
                    + jitterMillis);
        }
        requireDelay();
        if (netemUnavailableBecause() == null) {
            tc(node, "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", millis + "ms", jitterMillis + "ms");
        } else {
            startDelayer(node, seed, "delay", Integer.toString(millis), Integer.toString(jitterMillis));
        }
    }

    /**
     * From now on, {@code percent}% of node {@code node}'s packets, at random, pass at once and the rest
     * {@code millis} ms late, so that packets overtake each other: with tc netem what it sends, otherwise,
     * with a {@link PacketDelayer} whose draws {@code seed} names, what it receives
     * ({@link #delayedTraffic(int)}). Replaces a delay or reordering already in place on the node. (netem
     * draws from a random of its own: there the seed names nothing.)
     *
     * @throws UnsupportedOperationException when {@link #delayUnavailableBecause()} names a reason
     */
    public void reorder(int node, int percent, int millis, long seed) {
        checkNode(node);
        if (percent < 0 || percent > 100 || millis < 0) {
            throw new IllegalArgumentException("reordering passes 0 to 100 percent at once, not " + percent
                    + ", and holds the rest at least 0 ms, not " + millis);
        }
        requireDelay();
        if (netemUnavailableBecause() == null) {
            tc(node, "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", millis + "ms",
                    "reorder", percent + "%", "50%");
        } else {
            startDelayer(node, seed, "reorder", Integer.toString(100 - percent), Integer.toString(millis));
        }
    }

    /**
     * Which of node {@code node}'s packets {@link #delay} and {@link #reorder} act on here, for logs and
     * reports: "what node N sends" with tc netem, "what node N receives" with a packet delayer.
     */
    public String delayedTraffic(int node) {
        checkNode(node);
        return "what node " + node + (netemUnavailableBecause() == null ? " sends" : " receives");
    }

    /**
     * Why delay and reordering cannot be used here, or null if they can: with tc netem (probed once, on
     * node 1's loopback), or else with a {@link PacketDelayer} (its program compiles, and iptables can queue
     * packets in node 1's namespace). Probed once and remembered; the reason names what is missing for both.
     */
    public String delayUnavailableBecause() {
        if (!delayProbed) {
            synchronized (this) {
                if (!delayProbed) {
                    String netem = netemUnavailableBecause();
                    String delayer = netem == null ? null : delayerUnavailableBecause();
                    delayMissing = delayer == null ? null : netem + ", and " + delayer;
                    delayProbed = true;
                }
            }
        }
        return delayMissing;
    }

    /** Why a packet delayer cannot run in this lab, or null if it can (compiles it, tries its rule on node 1). */
    private String delayerUnavailableBecause() {
        String program = PacketDelayer.unavailableBecause();
        if (program != null) {
            return program;
        }
        Result add = tryRun(iptables(1, "-A"));
        if (add == null) {
            return "the packet delayer needs iptables (apt-get install iptables)";
        }
        if (add.exit() != 0) {
            return "iptables cannot send packets to a netfilter queue (a kernel without NFQUEUE?): "
                    + add.out().strip();
        }
        tryRun(iptables(1, "-D"));
        return null;
    }

    /**
     * Why tc netem cannot be used here, or null if it can: probed once, on node 1's loopback, and
     * remembered.
     */
    private String netemUnavailableBecause() {
        if (!netemProbed) {
            synchronized (this) {
                if (!netemProbed) {
                    List<String> add = new ArrayList<>(execPrefix(1));
                    add.addAll(List.of("tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"));
                    Result result = tryRun(add);
                    if (result == null) {
                        netemMissing = "tc cannot be run (iproute2's tc is missing)";
                    } else if (result.exit() != 0) {
                        netemMissing = "the kernel has no tc netem qdisc: " + result.out().strip();
                    } else {
                        netemMissing = null;
                        List<String> del = new ArrayList<>(execPrefix(1));
                        del.addAll(List.of("tc", "qdisc", "del", "dev", "lo", "root"));
                        tryRun(del);
                    }
                    netemProbed = true;
                }
            }
        }
        return netemMissing;
    }

    private void requireDelay() {
        String missing = delayUnavailableBecause();
        if (missing != null) {
            throw new UnsupportedOperationException(missing);
        }
    }

    /**
     * Starts a delayer in node {@code node}'s namespace, then queues what the node receives to it; a delayer
     * already there is stopped first (it lets what it holds go).
     */
    private synchronized void startDelayer(int node, long seed, String... mode) {
        stopDelayer(node);
        PacketDelayer delayer = PacketDelayer.start(execPrefix(node), seed, mode);
        try {
            run(iptables(node, "-A").toArray(String[]::new));
        } catch (RuntimeException e) {
            delayer.stop();
            throw e;
        }
        delayers.put(node, delayer);
    }

    /**
     * Removes node {@code node}'s queueing rule, so that no packet is queued any more, then stops its
     * delayer, which lets what it holds go. Nothing when no delayer runs there.
     */
    private synchronized void stopDelayer(int node) {
        PacketDelayer delayer = delayers.remove(node);
        if (delayer != null) {
            try {
                run(iptables(node, "-D").toArray(String[]::new));
            } finally {
                delayer.stop();
            }
        }
    }

    /** The iptables command that appends ({@code -A}) or deletes ({@code -D}) node {@code node}'s queueing rule. */
    private List<String> iptables(int node, String action) {
        List<String> command = new ArrayList<>(execPrefix(node));
        command.addAll(List.of("iptables", "-w", "-t", "mangle", action, "PREROUTING", "-i", "eth0",
                "-j", "NFQUEUE", "--queue-num", Integer.toString(PacketDelayer.QUEUE), "--queue-bypass"));
        return command;
    }

    /** The packet delayers' queueing rule in node {@code node}'s namespace, as {@code iptables -S} prints it (for logs). */
    public String delayRules(int node) {
        return run("ip", "netns", "exec", namespace(node), "iptables", "-w", "-t", "mangle", "-S", "PREROUTING");
    }

    /** Kills (SIGTERM) the packet delayers running in namespace {@code namespace}, a leftover of a crashed lab. */
    private static void killDelayers(String namespace) {
        Result pids = tryRun(List.of("ip", "netns", "pids", namespace));
        if (pids == null || pids.exit() != 0) {
            return;
        }
        for (String pid : pids.out().split("\\s+")) {
            if (pid.isEmpty()) {
                continue;
            }
            try {
                String name = Files.readString(Path.of("/proc", pid, "comm")).strip();
                if (name.equals(PacketDelayer.PROGRAM)) {
                    tryRun(List.of("kill", "-TERM", pid));
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
    }

    /**
     * Removes every cut, loss, shaping, delay and reordering: all nodes reach each other again at full
     * speed, and packets a delayer held are let go. A delayer that failed (it had exited, or did not stop)
     * is reported by an {@link IllegalStateException} once everything else is healed.
     */
    public void healAll() {
        RuntimeException delayerFailed = null;
        for (int node = 1; node <= nodes; node++) {
            try {
                stopDelayer(node);
            } catch (RuntimeException e) {
                delayerFailed = delayerFailed == null ? e : delayerFailed;
            }
            nft(node, "flush", "chain", "inet", TABLE, "input");
            List<String> command = new ArrayList<>(execPrefix(node));
            command.addAll(List.of("tc", "qdisc", "del", "dev", "eth0", "root"));
            tryRun(command); // fails, harmlessly, when the default qdisc is in place
        }
        if (delayerFailed != null) {
            throw delayerFailed;
        }
    }

    /** The queueing discipline on node {@code node}'s {@code eth0}, as {@code tc qdisc show} prints it (for logs). */
    public String qdisc(int node) {
        return run("ip", "netns", "exec", namespace(node), "tc", "qdisc", "show", "dev", "eth0");
    }

    /** The rules now in node {@code node}'s namespace, as {@code nft list} prints them (for logs). */
    public String rules(int node) {
        return run("ip", "netns", "exec", namespace(node), "nft", "list", "chain", "inet", TABLE, "input");
    }

    private void tc(int node, String... words) {
        List<String> command = new ArrayList<>(execPrefix(node));
        command.add("tc");
        command.addAll(List.of(words));
        run(command.toArray(String[]::new));
    }

    private void nft(int node, String... words) {
        List<String> command = new ArrayList<>(execPrefix(node));
        command.add("nft");
        command.addAll(List.of(words));
        run(command.toArray(String[]::new));
    }

    private void checkNode(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("no node " + node + " in a lab of " + nodes);
        }
    }

    /** Removes the namespaces and links; processes still running in a namespace keep it alive but unreachable. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int node = 1; node <= nodes; node++) {
            try {
                stopDelayer(node);
            } catch (RuntimeException e) {
                System.err.println("NetworkLab: " + e.getMessage()); // the namespaces go anyway
            }
        }
        removeLeftovers();
    }

    private static String run(String... command) {
        return Commands.run(COMMAND_TIMEOUT_MS, command);
    }

    private static Result tryRun(List<String> command) {
        return Commands.tryRun(COMMAND_TIMEOUT_MS, command);
    }
}
