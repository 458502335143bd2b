package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.strand.broker.api.security.SaslAuthenticateHandler;
import io.strand.broker.api.security.SaslHandshakeHandler;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.ConnectionBounds;
import io.strand.broker.network.ListenerSecurity;
import io.strand.broker.network.RequestContext;
import io.strand.broker.network.SaslMechanisms;
import io.strand.broker.network.SocketBuffers;
import io.strand.broker.network.SocketServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A broker's client connection authenticating to a SASL listener, as replica fetchers and transaction senders do. */
class BrokerConnectionSaslTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\";";

    private final EventLoopGroup network = BrokerConnection.newEventLoopGroup("test-sasl-connection", 1);
    private final List<String> principals = new ArrayList<>();
    private SocketServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        network.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Answers DescribeCluster with the caller's principal as the cluster id, so the test sees who it was. */
    private final class WhoAmI implements ApiHandler<DescribeClusterRequest> {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.DESCRIBE_CLUSTER;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 0, (short) 1);
        }

        @Override
        public CompletableFuture<DescribeClusterResponseData> handle(RequestContext context,
                                                                     DescribeClusterRequest request) {
            principals.add(context.principal().toString());
            return CompletableFuture.completedFuture(new DescribeClusterResponseData()
                    .setClusterId(context.principal().toString()));
        }
    }

    private InetSocketAddress startServer(long reauthMs) throws Exception {
        ApiRegistry registry = new ApiRegistry();
        registry.register(new ApiHandler<ApiVersionsRequest>() {
            @Override
            public ApiKeys apiKey() {
                return ApiKeys.API_VERSIONS;
            }

            @Override
            public ApiVersionsResponseData.ApiVersion advertisedVersions() {
                return ApiHandler.versions(apiKey(), (short) 0, (short) 3);
            }

            @Override
            public CompletableFuture<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequest request) {
                ApiVersionsResponseData data = new ApiVersionsResponseData();
                registry.handlers().forEach(h -> data.apiKeys().add(h.advertisedVersions().duplicate()));
                return CompletableFuture.completedFuture(data);
            }
        }).register(new SaslHandshakeHandler()).register(new SaslAuthenticateHandler()).register(new WhoAmI());
        ScramCredential scram = new ScramFormatter(ScramMechanism.SCRAM_SHA_512).generateCredential("scram-secret", 4096);
        ListenerSecurity security = new ListenerSecurity("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT,
                Map.of("sasl.enabled.mechanisms", List.of("PLAIN", "SCRAM-SHA-512"), "plain.sasl.jaas.config", JAAS,
                        "connections.max.reauth.ms", reauthMs),
                new DefaultKafkaPrincipalBuilder(null, null)::build);
        SaslMechanisms mechanisms = new SaslMechanisms(security,
                (user, mechanism) -> user.equals("broker") && mechanism.equals("SCRAM-SHA-512") ? scram : null);
        server = new SocketServer(security, mechanisms, new InetSocketAddress("127.0.0.1", 0), 1 << 20, registry, 1,
                Runnable::run, new SocketBuffers(-1, -1), ConnectionBounds.unlimited());
        return server.start();
    }

    private static String whoAmI(BrokerConnection connection) throws Exception {
        ApiMessage answer = connection.send(ApiKeys.DESCRIBE_CLUSTER, (short) 0,
                v -> new DescribeClusterRequestData()).get(10, TimeUnit.SECONDS);
        return ((DescribeClusterResponseData) answer).clusterId();
    }

    @Test
    void authenticatesWithPlainAndScramBeforeItsFirstRequest() throws Exception {
        InetSocketAddress address = startServer(0);
        for (SaslClientSettings sasl : List.of(new SaslClientSettings("PLAIN", "broker", "broker-secret"),
                new SaslClientSettings("SCRAM-SHA-512", "broker", "scram-secret"))) {
            BrokerConnection connection = new BrokerConnection(1, () -> Optional.of(address), "test", network, 0,
                    10_000, null, sasl);
            assertThat(whoAmI(connection)).isEqualTo("User:broker");
            assertThat(whoAmI(connection)).isEqualTo("User:broker");
            connection.close();
        }
    }

    @Test
    void aRefusedPasswordFailsTheRequestWithSaslAuthenticationException() throws Exception {
        InetSocketAddress address = startServer(0);
        BrokerConnection connection = new BrokerConnection(1, () -> Optional.of(address), "test", network, 0, 10_000, null,
                new SaslClientSettings("SCRAM-SHA-512", "broker", "wrong"));
        assertThatThrownBy(() -> whoAmI(connection)).hasCauseInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials");
        connection.close();
    }

    @Test
    void reconnectsBeforeItsSessionEndsSoTheBrokerNeverCutsItOff() throws Exception {
        InetSocketAddress address = startServer(400);
        BrokerConnection connection = new BrokerConnection(1, () -> Optional.of(address), "test", network, 0, 10_000, null,
                new SaslClientSettings("PLAIN", "broker", "broker-secret"));
        for (int i = 0; i < 4; i++) {
            assertThat(whoAmI(connection)).isEqualTo("User:broker");
            Thread.sleep(200); // the session's time passing is the point here
        }
        connection.close();
    }
}
