package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline over real sockets, with one event loop shared by every connection: a request blocked
 * on the request pool (a produce held in its handler, as an fsync or a partition's writer lock would
 * hold it) must not stop other connections from being served, on the loop or on the pool.
 */
class SocketServerTest {

    private static final String BLOCKED_TOPIC = "blocked";
    /** Bounds a read that should succeed at once; reaching it fails the test, it times nothing. */
    private static final int READ_TIMEOUT_MS = 30_000;

    /** Produce: blocks in its handler for topic {@link #BLOCKED_TOPIC} until released. */
    private static final class HoldingProduce implements ApiHandler<ProduceRequest> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.PRODUCE;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), apiKey().oldestVersion(), apiKey().latestVersion());
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, ProduceRequest request) {
            if (request.data().topicData().stream().anyMatch(t -> t.name().equals(BLOCKED_TOPIC))) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return CompletableFuture.completedFuture(new ProduceResponseData());
        }
    }

    private final HoldingProduce produce = new HoldingProduce();
    private RequestHandlerPool pool;
    private SocketServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws InterruptedException {
        pool = new RequestHandlerPool(2);
        ApiRegistry registry = new ApiRegistry().register(produce).register(new LoopMetadata());
        server = new SocketServer(ListenerSecurity.plaintext("PLAINTEXT"), new InetSocketAddress("127.0.0.1", 0),
                1024 * 1024, registry, 1, pool, SocketBuffers.OS_DEFAULTS, ConnectionBounds.unlimited());
        address = server.start();
    }

    @AfterEach
    void stop() {
        produce.release.countDown();
        server.close();
        pool.close();
    }

    @Test
    void aRequestBlockedOnThePoolDoesNotStallOtherConnections() throws Exception {
        try (Socket heavy = connect(); Socket light = connect()) {
            send(heavy, produceRequest(BLOCKED_TOPIC), 1);
            assertThat(produce.entered.await(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();

            send(light, metadataRequest(), 10);
            assertThat(readCorrelationId(light)).isEqualTo(10);
            send(light, produceRequest("other"), 11);
            assertThat(readCorrelationId(light)).isEqualTo(11);

            produce.release.countDown();
            assertThat(readCorrelationId(heavy)).isEqualTo(1);
        }
    }

    @Test
    void aLaterRequestOfTheBlockedConnectionIsAnsweredAfterIt() throws Exception {
        try (Socket heavy = connect()) {
            send(heavy, produceRequest(BLOCKED_TOPIC), 1);
            assertThat(produce.entered.await(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();
            send(heavy, metadataRequest(), 2);

            produce.release.countDown();
            assertThat(readCorrelationId(heavy)).isEqualTo(1);
            assertThat(readCorrelationId(heavy)).isEqualTo(2);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static AbstractRequest produceRequest(String topic) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic));
        return new ProduceRequest(data, (short) 9);
    }

    private static AbstractRequest metadataRequest() {
        return new MetadataRequest(new MetadataRequestData(), (short) 12);
    }

    private static void send(Socket socket, AbstractRequest request, int correlationId) throws IOException {
        ByteBuffer frame = request.serializeWithHeader(
                new RequestHeader(request.apiKey(), request.version(), "test", correlationId));
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
    }

    private static int readCorrelationId(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return ByteBuffer.wrap(frame).getInt();
    }
}
