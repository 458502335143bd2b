package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that try to exhaust the broker rather than use it — thousands of idle connections, frames
 * that declare hundreds of megabytes and send a few, many connections from one address, connections
 * made faster than an address's {@code connection_creation_rate} quota, a pipelined flood whose
 * responses are never read — against a node in a JVM of its own with a small heap that
 * exits on {@code OutOfMemoryError}. After each: the node is alive, a Java producer and consumer make a
 * round trip, and the log holds exactly what was acknowledged.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileClientsIT {

    private static final String TOPIC = "steady";
    private static final int HEAP_MIB = 128;
    private static final long REQUEST_MEMORY = 16L * 1024 * 1024;
    private static final int IDLE_MS = 2_000;
    private static final int PER_IP = 20;
    /** The hostile clients' address where a limit per address applies; the well-behaved ones use 127.0.0.1. */
    private static final String LIMITED_ADDRESS = "127.0.0.2";
    /** The hostile clients' address given a connection_creation_rate quota. */
    private static final String RATE_LIMITED_ADDRESS = "127.0.0.3";
    /** Connections opened at once from the rate-limited address. */
    private static final int BURST = 6;
    private static final int KERNEL_BUFFER_BYTES = 64 * 1024;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest
            .strandProcess(List.of("-Xmx" + HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError"))
            .withProperties(Map.of(
                    "queued.max.request.bytes", Long.toString(REQUEST_MEMORY),
                    "connections.max.idle.ms", Integer.toString(IDLE_MS),
                    "max.connections.per.ip", Integer.toString(PER_IP),
                    "max.connections.per.ip.overrides", "127.0.0.1:100000",
                    // Small kernel buffers, so that what the clients manage to send is what the node read.
                    "socket.receive.buffer.bytes", Integer.toString(KERNEL_BUFFER_BYTES)));

    private static long acknowledged;

    @BeforeAll
    static void createTopic() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }

    /** The node survived, serves a producer and a consumer, and its log holds every acknowledged record. */
    @AfterEach
    void brokerStillServesAndLogIsIntact() throws Exception {
        StrandProcess node = broker.process();
        assertThat(node.isAlive()).as("node process alive (exit code %s)", node.exitCode()).isTrue();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers(), "delivery.timeout.ms", "60000"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + acknowledged)).get(60, TimeUnit.SECONDS);
            acknowledged++;
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, acknowledged);
        }
    }

    @Test
    void thousandsOfIdleConnectionsAreClosedAfterTheIdleLimitWhileOthersAreServed() throws Exception {
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 2_000; i++) {
                idle.add(connect("127.0.0.1"));
            }
            assertRoundTrip("while 2000 connections sit idle");
            try (Selector selector = Selector.open()) {
                for (SocketChannel channel : idle) {
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ);
                }
                int closed = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                ByteBuffer sink = ByteBuffer.allocate(64);
                while (closed < idle.size() && System.nanoTime() < deadline) {
                    selector.select(1_000);
                    for (SelectionKey key : selector.selectedKeys()) {
                        sink.clear();
                        if (readOrEof((SocketChannel) key.channel(), sink) < 0) {
                            key.cancel();
                            closed++;
                        }
                    }
                    selector.selectedKeys().clear();
                }
                assertThat(closed).as("idle connections the broker closed").isEqualTo(idle.size());
            }
        } finally {
            closeAll(idle);
        }
    }

    @Test
    void framesThatDeclareMoreThanTheySendHoldOnlyWhatTheySentAndStalledOnesAreClosed() throws Exception {
        // 64 connections each declare a 64 MiB request and try to send 4 MiB of it, then stall: 256 MiB
        // in all, twice the node's heap. Its request memory (16 MiB) stops reading them instead; with
        // small socket buffers on both sides, what the clients sent is about what the node read.
        List<SocketChannel> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_SNDBUF, KERNEL_BUFFER_BYTES);
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.connect(brokerAddress());
                channel.configureBlocking(false);
                stalled.add(channel);
            }
            ByteBuffer chunk = ByteBuffer.allocate(4 * 1024 * 1024);
            chunk.putInt(0, 64 * 1024 * 1024);
            List<ByteBuffer> unsent = new ArrayList<>();
            for (int i = 0; i < stalled.size(); i++) {
                unsent.add(chunk.duplicate());
            }
            // Writes, round after round, what the broker and the kernel take; the connections the broker
            // stopped reading stay behind when the time is up.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            boolean more = true;
            while (more && System.nanoTime() < deadline) {
                more = false;
                for (int i = 0; i < stalled.size(); i++) {
                    ByteBuffer rest = unsent.get(i);
                    if (rest.hasRemaining() && stalled.get(i).isOpen()) {
                        try {
                            stalled.get(i).write(rest);
                            more |= rest.hasRemaining();
                        } catch (IOException e) {
                            stalled.get(i).close(); // the node closed it (idle once it stopped reading)
                        }
                    }
                }
            }
            long sent = 0;
            for (ByteBuffer b : unsent) {
                sent += b.position();
            }
            // The bound, plus what the kernel buffers of 64 connections hold, plus one read per connection.
            assertThat(sent).as("bytes the stalled connections sent").isLessThan(64L * 1024 * 1024);
            assertRoundTrip("after the stalled connections' idle limit frees their memory");
            for (SocketChannel channel : stalled) {
                if (channel.isOpen()) {
                    assertThat(closedByBroker(channel, 30_000)).as("stalled connection closed").isTrue();
                }
            }
        } finally {
            closeAll(stalled);
        }
    }

    @Test
    void connectionsPastAnAddressesLimitAreClosedAtOnce() throws Exception {
        List<SocketChannel> allowed = new ArrayList<>();
        try {
            for (int i = 0; i < PER_IP; i++) {
                SocketChannel channel = connect(LIMITED_ADDRESS);
                allowed.add(channel);
                assertThat(answersApiVersions(channel)).as("connection %d of %d", i + 1, PER_IP).isTrue();
            }
            SocketChannel extra = connect(LIMITED_ADDRESS);
            assertThat(closedByBroker(extra, 10_000)).as("connection past max.connections.per.ip").isTrue();
            extra.close();
            assertRoundTrip("from an address with its own limit");

            allowed.remove(0).close();
            // The broker learns of the close asynchronously; a new connection is admitted once it has.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean admitted = false;
            while (!admitted && System.nanoTime() < deadline) {
                SocketChannel again = connect(LIMITED_ADDRESS);
                admitted = answersApiVersions(again);
                if (admitted) {
                    allowed.add(again);
                } else {
                    again.close();
                }
            }
            assertThat(admitted).as("a connection admitted after one closed").isTrue();
        } finally {
            closeAll(allowed);
        }
    }

    @Test
    void connectionsFasterThanAnAddressesCreationRateQuotaAreHeldUnservedThenClosed() throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.IP, RATE_LIMITED_ADDRESS));
        broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op("connection_creation_rate", 2.0))))).all().get(30, TimeUnit.SECONDS);
        // The quota reaches the node through the metadata log: once a burst is throttled, it applies.
        await("a burst of connections past connection_creation_rate=2 throttled").atMost(Duration.ofSeconds(30))
                .until(() -> servedOfABurst(RATE_LIMITED_ADDRESS) < BURST);
        // Now that the quota applies, a burst gets at most one second's connections, whatever it waited.
        assertThat(servedOfABurst(RATE_LIMITED_ADDRESS)).as("connections of a burst of %d served", BURST)
                .isBetween(0, 2);
        assertRoundTrip("from an address without a quota while another is throttled");

        broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op("connection_creation_rate", null))))).all().get(30, TimeUnit.SECONDS);
        await("every connection of a burst served once the quota is removed").atMost(Duration.ofSeconds(30))
                .until(() -> servedOfABurst(RATE_LIMITED_ADDRESS) == BURST);
    }

    /**
     * Opens {@link #BURST} connections from {@code address} at once, then asks each for ApiVersions: how
     * many were answered (a throttled one is closed unanswered). Closes them all.
     */
    private static int servedOfABurst(String address) throws IOException {
        List<SocketChannel> burst = new ArrayList<>();
        try {
            for (int i = 0; i < BURST; i++) {
                burst.add(connect(address));
            }
            int served = 0;
            for (SocketChannel channel : burst) {
                served += answersApiVersions(channel) ? 1 : 0;
            }
            return served;
        } finally {
            closeAll(burst);
        }
    }

    @Test
    void aPipelinedFloodWhoseResponsesAreNeverReadHoldsUpOnlyItsOwnConnection() throws Exception {
        SocketChannel flood = connect("127.0.0.1");
        try {
            flood.configureBlocking(false);
            ByteBuffer request = apiVersionsFrame();
            long written = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // Until the broker stops reading (its responses fill both socket buffers), closes the
            // connection (idle once neither side moves), or 5 s pass.
            int stuck = 0;
            try {
                while (System.nanoTime() < deadline && stuck < 200_000) {
                    request.rewind();
                    int n = flood.write(request);
                    if (n == 0) {
                        stuck++;
                        Thread.onSpinWait();
                    } else {
                        written += n;
                        stuck = 0;
                        while (request.hasRemaining() && System.nanoTime() < deadline) {
                            written += flood.write(request);
                        }
                    }
                }
            } catch (IOException closedByBroker) {
                // connections.max.idle.ms closed it: the end of the flood
            }
            assertThat(written).as("bytes of requests the flood wrote").isGreaterThan(1_000_000);
            assertRoundTrip("while the flood waits");
        } finally {
            flood.close();
        }
    }

    private static void assertRoundTrip(String when) throws Exception {
        StrandProcess node = broker.process();
        assertThat(node.isAlive()).as("node alive " + when).isTrue();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers(), "delivery.timeout.ms", "60000"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + acknowledged)).get(60, TimeUnit.SECONDS);
            acknowledged++;
        }
    }

    private static SocketChannel connect(String localAddress) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        channel.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        channel.connect(brokerAddress());
        return channel;
    }

    private static InetSocketAddress brokerAddress() {
        String bootstrap = broker.bootstrapServers();
        int colon = bootstrap.lastIndexOf(':');
        return new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
    }

    private static ByteBuffer apiVersionsFrame() {
        ApiVersionsRequest request = new ApiVersionsRequest.Builder(new ApiVersionsRequestData()
                .setClientSoftwareName("hostile").setClientSoftwareVersion("1"), (short) 3, (short) 3).build();
        ByteBuffer body = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "hostile", 1));
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining());
        frame.putInt(body.remaining()).put(body).flip();
        return frame;
    }

    /** Sends ApiVersions and reads a whole response; false if the broker closed the connection instead. */
    private static boolean answersApiVersions(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        channel.socket().setSoTimeout(10_000);
        ByteBuffer frame = apiVersionsFrame();
        try {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
            java.io.DataInputStream in = new java.io.DataInputStream(channel.socket().getInputStream());
            in.readFully(new byte[in.readInt()]);
            return true;
        } catch (java.io.EOFException | java.net.SocketException e) {
            return false;
        }
    }

    /** Whether the broker closes {@code channel} (EOF or reset) within {@code timeoutMs}; bytes it sends are skipped. */
    private static boolean closedByBroker(SocketChannel channel, long timeoutMs) throws IOException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < deadline) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                selector.selectedKeys().clear();
                sink.clear();
                if (readOrEof(channel, sink) < 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Reads what is there; -1 on end of stream or a reset. */
    private static int readOrEof(SocketChannel channel, ByteBuffer sink) {
        try {
            return channel.read(sink);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
