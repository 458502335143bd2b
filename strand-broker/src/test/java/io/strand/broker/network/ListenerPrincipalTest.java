package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.PlaintextAuthenticationContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** Every request of a connection carries the principal the listener's principal builder named for it. */
class ListenerPrincipalTest {

    /** Metadata on the event loop, handing each request's context to the test. */
    private static final class RecordingMetadata implements ApiHandler<MetadataRequest> {
        final LinkedBlockingQueue<RequestContext> contexts = new LinkedBlockingQueue<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.METADATA;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 0, apiKey().latestVersion());
        }

        @Override
        public RunsOn runsOn() {
            return RunsOn.EVENT_LOOP;
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, MetadataRequest request) {
            contexts.add(context);
            return CompletableFuture.completedFuture(new MetadataResponseData());
        }
    }

    @Test
    void aPlaintextConnectionIsWhoThePrincipalBuilderSaysFromItsAddressAndListener() throws Exception {
        RecordingMetadata metadata = new RecordingMetadata();
        ListenerSecurity security = new ListenerSecurity("INTERNAL", SecurityProtocol.PLAINTEXT, Map.of(),
                context -> {
                    PlaintextAuthenticationContext plain = (PlaintextAuthenticationContext) context;
                    return new KafkaPrincipal(KafkaPrincipal.USER_TYPE,
                            plain.listenerName() + "@" + plain.clientAddress().getHostAddress());
                });
        try (RequestHandlerPool pool = new RequestHandlerPool(1)) {
            SocketServer server = new SocketServer(security, new InetSocketAddress("127.0.0.1", 0), 1024 * 1024,
                    new ApiRegistry().register(metadata), 1, pool, SocketBuffers.OS_DEFAULTS, ConnectionBounds.unlimited());
            try {
                InetSocketAddress address = server.start();
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), address.getPort())) {
                    client.setSoTimeout(30_000);
                    for (int correlationId = 1; correlationId <= 2; correlationId++) {
                        send(client, correlationId);
                        DataInputStream in = new DataInputStream(client.getInputStream());
                        in.readFully(new byte[in.readInt()]);
                        RequestContext context = metadata.contexts.poll(30, TimeUnit.SECONDS);
                        assertThat(context.principal()).isEqualTo(
                                new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "INTERNAL@127.0.0.1"));
                        assertThat(context.listenerName()).isEqualTo("INTERNAL");
                        assertThat(context.securityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
                    }
                }
            } finally {
                server.close();
            }
        }
    }

    private static void send(Socket socket, int correlationId) throws Exception {
        MetadataRequest request = new MetadataRequest(new MetadataRequestData(), (short) 12);
        ByteBuffer frame = request.serializeWithHeader(
                new RequestHeader(ApiKeys.METADATA, (short) 12, "test", correlationId));
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
    }
}
