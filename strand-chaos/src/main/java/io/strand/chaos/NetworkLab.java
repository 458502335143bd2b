package io.strand.chaos;

import io.strand.chaos.Commands.Result;
import java.util.ArrayList;
import java.util.List;
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
 * which delays under load; {@link #delay(int, int, int)} and {@link #reorder(int, int, int)} tc netem,
 * offered only where the kernel has it ({@link #netemUnavailableBecause()}).
 *
 * <p>{@link #create} first removes whatever a crashed earlier lab with the same prefix left
 * (namespaces, bridge, veths); {@link #close()} removes everything it made. Needs root, iproute2's
 * {@code ip} and nftables' {@code nft} (see {@link #unusableBecause(String)}).
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

    /** Removes the namespaces, veths and bridge named with this lab's prefix, whoever made them. */
    private void removeLeftovers() {
        Result namespaces = tryRun(List.of("ip", "netns", "list"));
        if (namespaces != null) {
            for (String line : namespaces.out().split("\n")) {
                String name = line.strip().split("\\s+")[0];
                if (name.startsWith(prefix + "-")) {
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
     * From now on, node {@code node}'s packets leave {@code millis} ms late, give or take {@code jitterMillis}
     * (tc netem).
     *
     * @throws UnsupportedOperationException when {@link #netemUnavailableBecause()} names a reason
     */
    public void delay(int node, int millis, int jitterMillis) {
        checkNode(node);
        requireNetem();
        tc(node, "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", millis + "ms", jitterMillis + "ms");
    }

    /**
     * From now on, {@code percent}% of node {@code node}'s packets leave at once and the rest
     * {@code millis} ms late, so that packets overtake each other (tc netem).
     *
     * @throws UnsupportedOperationException when {@link #netemUnavailableBecause()} names a reason
     */
    public void reorder(int node, int percent, int millis) {
        checkNode(node);
        requireNetem();
        tc(node, "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", millis + "ms",
                "reorder", percent + "%", "50%");
    }

    /**
     * Why tc netem (delay, reordering) cannot be used here, or null if it can: probed once, on node 1's
     * loopback, and remembered.
     */
    public String netemUnavailableBecause() {
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

    private void requireNetem() {
        String missing = netemUnavailableBecause();
        if (missing != null) {
            throw new UnsupportedOperationException(missing);
        }
    }

    /** Removes every cut, loss and shaping: all nodes reach each other again at full speed. */
    public void healAll() {
        for (int node = 1; node <= nodes; node++) {
            nft(node, "flush", "chain", "inet", TABLE, "input");
            List<String> command = new ArrayList<>(execPrefix(node));
            command.addAll(List.of("tc", "qdisc", "del", "dev", "eth0", "root"));
            tryRun(command); // fails, harmlessly, when the default qdisc is in place
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
        removeLeftovers();
    }

    private static String run(String... command) {
        return Commands.run(COMMAND_TIMEOUT_MS, command);
    }

    private static Result tryRun(List<String> command) {
        return Commands.tryRun(COMMAND_TIMEOUT_MS, command);
    }
}
