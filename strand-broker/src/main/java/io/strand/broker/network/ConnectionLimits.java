package io.strand.broker.network;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's limits on a node's client connections, shared by all its listeners:
 * <ul>
 *   <li>{@code max.connections} for the node and per listener ({@code listener.name.<l>.max.connections}):
 *       a listener at its limit, or any listener but the inter-broker one while the node is at its
 *       limit, stops accepting until a connection closes. A connection on the inter-broker listener is
 *       admitted past the node's limit, and the least recently active connection of another listener is
 *       closed to make room, as Kafka does, so a flood of clients cannot cut brokers off each other.</li>
 *   <li>{@code max.connections.per.ip} and {@code max.connections.per.ip.overrides}: a connection past
 *       its address's limit is closed as soon as it is accepted.</li>
 *   <li>{@code max.connection.creation.rate} for the node (not applied to the inter-broker listener) and
 *       per listener: accepting pauses for as long as the rate needs. Each rate is a token bucket
 *       holding at most one second's connections; Kafka measures the rate over its quota windows, so
 *       its bursts may differ, the long-run rate is the same.</li>
 *   <li>the {@code connection_creation_rate} quota of the connection's address ({@link IpConnectionRates},
 *       on every listener): a connection past it is {@link Kind#THROTTLED}, not counted anywhere (the
 *       node's and listener's rates get their token back, as Kafka un-records it), and the caller
 *       closes it after {@link Admission#closeDelayNs()}: until the address's rate allows one more,
 *       at most {@code maxIpThrottleNs}, as Kafka delays closing such a connection.</li>
 * </ul>
 * Netty accepts a few connections per wake-up; a connection accepted past a count limit in such a
 * batch is closed at once, so the counts never exceed their limits.
 *
 * <p>Thread-safe: every method may be called from any listener's event loops; state is guarded by
 * this object's monitor, and callbacks ({@link #whenConnectionCloses}) run outside it.
 */
public final class ConnectionLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    /** {@link #acceptPauseNs}: wait until a connection closes. */
    public static final long UNTIL_A_CONNECTION_CLOSES = Long.MAX_VALUE;

    /**
     * The configured limits; {@link Integer#MAX_VALUE} where unlimited.
     *
     * @param maxConnections          {@code max.connections} of the node
     * @param listenerMaxConnections  per listener name (upper case), where it is set
     * @param maxPerIp                {@code max.connections.per.ip}
     * @param perIpOverrides          {@code max.connections.per.ip.overrides}, host names resolved
     * @param maxCreationRate         {@code max.connection.creation.rate} of the node, per second
     * @param listenerCreationRate    per listener name, where it is set
     * @param interBrokerListener     the inter-broker listener's name, or null on a node without one
     */
    public record Settings(int maxConnections, Map<String, Integer> listenerMaxConnections, int maxPerIp,
                           Map<InetAddress, Integer> perIpOverrides, int maxCreationRate,
                           Map<String, Integer> listenerCreationRate, String interBrokerListener) {

        public Settings {
            listenerMaxConnections = Map.copyOf(listenerMaxConnections);
            perIpOverrides = Map.copyOf(perIpOverrides);
            listenerCreationRate = Map.copyOf(listenerCreationRate);
        }

        /** No limit at all. */
        public static Settings unlimited() {
            return new Settings(Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE,
                    Map.of(), null);
        }
    }

    /** What became of an accepted connection. */
    public enum Kind {
        ADMITTED,
        /** Its address has as many connections as it may. */
        TOO_MANY_FROM_ADDRESS,
        /** Its listener, or the node, is at its limit (accepted in the same batch as the last one allowed). */
        TOO_MANY,
        /** Its address makes connections faster than its {@code connection_creation_rate} quota. */
        THROTTLED
    }

    /**
     * What became of an accepted connection, and for a {@link Kind#THROTTLED} one how long to hold it
     * before closing it (0 for the others: close at once, or keep).
     */
    public record Admission(Kind kind, long closeDelayNs) {
        public static final Admission ADMITTED = new Admission(Kind.ADMITTED, 0);
        public static final Admission TOO_MANY_FROM_ADDRESS = new Admission(Kind.TOO_MANY_FROM_ADDRESS, 0);
        public static final Admission TOO_MANY = new Admission(Kind.TOO_MANY, 0);

        static Admission throttled(long closeDelayNs) {
            return new Admission(Kind.THROTTLED, closeDelayNs);
        }
    }

    /** Per-address buckets kept before the full ones (no recent connection) are dropped. */
    private static final int IP_BUCKETS_BEFORE_PRUNING = 1_024;

    /** One admitted connection. */
    private record Admitted(String listener, InetAddress address, Channel channel, ConnectionActivity activity) {
    }

    private final Settings settings;
    private final IpConnectionRates ipRates;
    private final long maxIpThrottleNs;
    private final LongSupplier nanoClock;
    private final TokenBucket nodeRate;
    /** The addresses with a connection_creation_rate quota that connected lately. */
    private final Map<InetAddress, TokenBucket> ipBuckets = new HashMap<>();
    private final Map<String, TokenBucket> listenerRates = new HashMap<>();
    private final Map<String, Set<Admitted>> byListener = new HashMap<>();
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private final Map<Channel, Admitted> byChannel = new HashMap<>();
    private final List<Runnable> closeWaiters = new ArrayList<>();
    private int total;

    public ConnectionLimits(Settings settings, LongSupplier nanoClock) {
        this(settings, IpConnectionRates.NONE, 0, nanoClock);
    }

    /**
     * @param ipRates         each address's {@code connection_creation_rate} quota, asked on every
     *                        connection (it must be cheap)
     * @param maxIpThrottleNs the longest a throttled connection is held before it is closed (Kafka:
     *                        {@code quota.window.size.seconds})
     */
    public ConnectionLimits(Settings settings, IpConnectionRates ipRates, long maxIpThrottleNs, LongSupplier nanoClock) {
        this.settings = settings;
        this.ipRates = ipRates;
        this.maxIpThrottleNs = maxIpThrottleNs;
        this.nanoClock = nanoClock;
        this.nodeRate = settings.maxCreationRate() == Integer.MAX_VALUE ? null
                : new TokenBucket(settings.maxCreationRate(), nanoClock.getAsLong());
        settings.listenerCreationRate().forEach((listener, rate) -> {
            if (rate != Integer.MAX_VALUE) {
                listenerRates.put(listener, new TokenBucket(rate, nanoClock.getAsLong()));
            }
        });
    }

    /** No limit: for tests and nodes configured without any. */
    public static ConnectionLimits unlimited() {
        return new ConnectionLimits(Settings.unlimited(), System::nanoTime);
    }

    /**
     * Counts a connection just accepted on {@code listener} from {@code address}; one that is not
     * {@link Admission#ADMITTED} must be closed by the caller and is not counted. {@code activity}
     * tells how recently the connection was used, for choosing one to close when an inter-broker
     * connection needs room.
     */
    public Admission admit(String listener, InetAddress address, Channel channel, ConnectionActivity activity) {
        Admitted evicted = null;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            boolean interBroker = listener.equals(settings.interBrokerListener());
            TokenBucket listenerRate = listenerRates.get(listener);
            if (listenerRate != null) {
                listenerRate.take(now);
            }
            if (nodeRate != null && !interBroker) {
                nodeRate.take(now);
            }
            long ipWaitNs = takeFromAddress(address, now);
            if (ipWaitNs > 0) {
                if (listenerRate != null) {
                    listenerRate.giveBack();
                }
                if (nodeRate != null && !interBroker) {
                    nodeRate.giveBack();
                }
                return Admission.throttled(Math.min(ipWaitNs, maxIpThrottleNs));
            }
            int fromAddress = byAddress.getOrDefault(address, 0);
            if (fromAddress >= settings.perIpOverrides().getOrDefault(address, settings.maxPerIp())) {
                return Admission.TOO_MANY_FROM_ADDRESS;
            }
            Set<Admitted> onListener = byListener.computeIfAbsent(listener, l -> new LinkedHashSet<>());
            if (onListener.size() >= listenerMax(listener) || (!interBroker && total >= settings.maxConnections())) {
                return Admission.TOO_MANY;
            }
            if (interBroker && total >= settings.maxConnections()) {
                evicted = leastRecentlyActiveOutside(listener);
            }
            Admitted admitted = new Admitted(listener, address, channel, activity);
            onListener.add(admitted);
            byChannel.put(channel, admitted);
            byAddress.merge(address, 1, Integer::sum);
            total++;
        }
        if (evicted != null) {
            LOG.info("Closing connection from {} on listener {}: max.connections={} reached and an inter-broker"
                            + " connection needs room", evicted.address().getHostAddress(), evicted.listener(),
                    settings.maxConnections());
            evicted.channel().close();
        }
        return Admission.ADMITTED;
    }

    /**
     * Spends one of {@code address}'s connection_creation_rate tokens: 0 when it had one (or has no
     * quota), else the nanoseconds until it will have one, nothing spent. Under the monitor.
     */
    private long takeFromAddress(InetAddress address, long now) {
        int rate = ipRates.ratePerSecond(address);
        if (rate == IpConnectionRates.UNLIMITED) {
            ipBuckets.remove(address);
            return 0;
        }
        if (ipBuckets.size() >= IP_BUCKETS_BEFORE_PRUNING && !ipBuckets.containsKey(address)) {
            ipBuckets.values().removeIf(bucket -> bucket.isFull(now));
        }
        TokenBucket bucket = ipBuckets.get(address);
        if (bucket == null || bucket.perSecond != rate) {
            bucket = new TokenBucket(rate, now);
            ipBuckets.put(address, bucket);
        }
        long waitNs = bucket.nanosUntilOne(now);
        if (waitNs == 0) {
            bucket.take(now);
        }
        return waitNs;
    }

    /** Uncounts an admitted connection that closed, and tells whoever waits for a close. */
    public void release(Channel channel) {
        List<Runnable> waiters;
        synchronized (this) {
            Admitted admitted = byChannel.remove(channel);
            if (admitted == null) {
                return;
            }
            byListener.get(admitted.listener()).remove(admitted);
            byAddress.computeIfPresent(admitted.address(), (a, n) -> n == 1 ? null : n - 1);
            total--;
            waiters = new ArrayList<>(closeWaiters);
            closeWaiters.clear();
        }
        waiters.forEach(Runnable::run);
    }

    /**
     * How long {@code listener} must wait before accepting another connection: 0 to go on,
     * {@link #UNTIL_A_CONNECTION_CLOSES} while a count is at its limit, else the nanoseconds until its
     * creation rate allows one more.
     */
    public synchronized long acceptPauseNs(String listener) {
        boolean interBroker = listener.equals(settings.interBrokerListener());
        Set<Admitted> onListener = byListener.get(listener);
        int count = onListener == null ? 0 : onListener.size();
        if (count >= listenerMax(listener) || (!interBroker && total >= settings.maxConnections())) {
            return UNTIL_A_CONNECTION_CLOSES;
        }
        long now = nanoClock.getAsLong();
        long pause = 0;
        TokenBucket listenerRate = listenerRates.get(listener);
        if (listenerRate != null) {
            pause = listenerRate.nanosUntilOne(now);
        }
        if (nodeRate != null && !interBroker) {
            pause = Math.max(pause, nodeRate.nanosUntilOne(now));
        }
        return pause;
    }

    /** Runs {@code waiter} once, after the next admitted connection closes. */
    public void whenConnectionCloses(Runnable waiter) {
        synchronized (this) {
            closeWaiters.add(waiter);
        }
    }

    /** Connections counted now, on every listener. */
    public synchronized int count() {
        return total;
    }

    private int listenerMax(String listener) {
        return settings.listenerMaxConnections().getOrDefault(listener, Integer.MAX_VALUE);
    }

    private Admitted leastRecentlyActiveOutside(String listener) {
        Admitted oldest = null;
        for (Admitted candidate : byChannel.values()) {
            if (!candidate.listener().equals(listener)
                    && (oldest == null || candidate.activity().lastActiveNs() - oldest.activity().lastActiveNs() < 0)) {
                oldest = candidate;
            }
        }
        return oldest;
    }

    /** Connections allowed per second, at most one second's worth banked. Not thread-safe (guarded by the limits). */
    private static final class TokenBucket {
        private final double perSecond;
        private double tokens;
        private long refilledNs;

        TokenBucket(int perSecond, long nowNs) {
            this.perSecond = Math.max(perSecond, 0);
            this.tokens = Math.max(perSecond, 1);
            this.refilledNs = nowNs;
        }

        private void refill(long nowNs) {
            double elapsedSeconds = (nowNs - refilledNs) / 1e9;
            tokens = Math.min(Math.max(perSecond, 1), tokens + elapsedSeconds * perSecond);
            refilledNs = nowNs;
        }

        /** Spends one token; the balance may go below zero (the connection is already accepted). */
        void take(long nowNs) {
            refill(nowNs);
            tokens -= 1;
        }

        /** Returns the token {@link #take} spent on a connection that was not accepted after all. */
        void giveBack() {
            tokens = Math.min(Math.max(perSecond, 1), tokens + 1);
        }

        /** True when the bucket holds all it may: no connection lately, nothing to remember. */
        boolean isFull(long nowNs) {
            refill(nowNs);
            return tokens >= Math.max(perSecond, 1);
        }

        long nanosUntilOne(long nowNs) {
            refill(nowNs);
            if (tokens >= 1) {
                return 0;
            }
            if (perSecond == 0) {
                return UNTIL_A_CONNECTION_CLOSES;
            }
            return (long) Math.ceil((1 - tokens) / perSecond * 1e9);
        }
    }
}
