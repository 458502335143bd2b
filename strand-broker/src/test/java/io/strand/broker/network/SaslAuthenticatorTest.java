package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.Test;

class SaslAuthenticatorTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";";
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);
    private static final long MS = 1_000_000L;

    private final ScramCredential aliceScram;
    private int correlationId;

    SaslAuthenticatorTest() throws Exception {
        aliceScram = new ScramFormatter(ScramMechanism.SCRAM_SHA_256).generateCredential("alice-scram", 4096);
    }

    private SaslMechanisms mechanisms(long reauthMs) {
        return new SaslMechanisms(security(Map.of("sasl.enabled.mechanisms", List.of("PLAIN", "SCRAM-SHA-256"),
                "plain.sasl.jaas.config", JAAS, "connections.max.reauth.ms", reauthMs)),
                (user, mechanism) -> user.equals("alice") && mechanism.equals("SCRAM-SHA-256") ? aliceScram : null);
    }

    private static ListenerSecurity security(Map<String, Object> configs) {
        return new ListenerSecurity("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT, configs,
                new DefaultKafkaPrincipalBuilder(null, null)::build);
    }

    private SaslAuthenticator authenticator(long reauthMs) {
        SaslMechanisms mechanisms = mechanisms(reauthMs);
        return new SaslAuthenticator(security(Map.of()), mechanisms, CLIENT.getAddress(), version -> version <= 4);
    }

    private ByteBuffer frame(AbstractRequest request) {
        ByteBuffer frame = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "test",
                ++correlationId));
        return frame;
    }

    private ByteBuffer handshake(String mechanism, short version) {
        return frame(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism))
                .build(version));
    }

    private ByteBuffer authenticate(byte[] token, short version) {
        return frame(new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(token))
                .build(version));
    }

    private ByteBuffer metadata() {
        return frame(new MetadataRequest(new MetadataRequestData(), (short) 12));
    }

    private static byte[] plainToken(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static SaslAuthenticateResponseData authenticateResponse(SaslAuthenticator.Step step) {
        assertThat(step).isInstanceOf(SaslAuthenticator.Respond.class);
        return (SaslAuthenticateResponseData) ((SaslAuthenticator.Respond) step).body();
    }

    @Test
    void plainAuthenticatesAfterApiVersionsAndNamesTheUsersPrincipal() {
        SaslAuthenticator auth = authenticator(0);
        assertThat(auth.maxFrameBytes(100 * 1024 * 1024)).isEqualTo(524_288);
        assertThat(auth.onFrame(frame(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3)), 0))
                .isInstanceOf(SaslAuthenticator.Serve.class);
        SaslAuthenticator.Step handshake = auth.onFrame(handshake("PLAIN", (short) 1), 0);
        SaslHandshakeResponseData handshakeResponse =
                (SaslHandshakeResponseData) ((SaslAuthenticator.Respond) handshake).body();
        assertThat(handshakeResponse.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(handshakeResponse.mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256");
        SaslAuthenticateResponseData done = authenticateResponse(
                auth.onFrame(authenticate(plainToken("alice", "alice-secret"), (short) 2), 0));
        assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(done.sessionLifetimeMs()).isZero();
        assertThat(auth.isAuthenticated()).isTrue();
        assertThat(auth.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
        assertThat(auth.maxFrameBytes(100 * 1024 * 1024)).isEqualTo(100 * 1024 * 1024);
        assertThat(auth.onFrame(metadata(), Long.MAX_VALUE / 2)).isInstanceOf(SaslAuthenticator.Serve.class);
    }

    @Test
    void aWrongPlainPasswordIsAnsweredWithKafkasMessageAndCloses() {
        SaslAuthenticator auth = authenticator(0);
        auth.onFrame(handshake("PLAIN", (short) 1), 0);
        SaslAuthenticator.Step step = auth.onFrame(authenticate(plainToken("alice", "wrong"), (short) 1), 0);
        SaslAuthenticateResponseData response = authenticateResponse(step);
        assertThat(response.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(response.errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
        assertThat(((SaslAuthenticator.Respond) step).thenClose()).isTrue();
        assertThat(auth.state()).isEqualTo(SaslAuthenticator.State.FAILED);
        assertThat(auth.onFrame(metadata(), 0)).isInstanceOf(SaslAuthenticator.Close.class);
    }

    @Test
    void anyOtherRequestBeforeAuthenticationClosesTheConnection() {
        assertThat(authenticator(0).onFrame(metadata(), 0)).isInstanceOf(SaslAuthenticator.Close.class);
        SaslAuthenticator twice = authenticator(0);
        twice.onFrame(frame(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3)), 0);
        assertThat(twice.onFrame(frame(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3)), 0))
                .isInstanceOf(SaslAuthenticator.Close.class);
        SaslAuthenticator midway = authenticator(0);
        midway.onFrame(handshake("PLAIN", (short) 1), 0);
        assertThat(midway.onFrame(metadata(), 0)).isInstanceOf(SaslAuthenticator.Close.class);
        assertThat(midway.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
    }

    @Test
    void aMechanismNotEnabledIsUnsupportedAndCloses() {
        SaslAuthenticator auth = authenticator(0);
        SaslAuthenticator.Respond step = (SaslAuthenticator.Respond) auth.onFrame(handshake("GSSAPI", (short) 1), 0);
        assertThat(((SaslHandshakeResponseData) step.body()).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(((SaslHandshakeResponseData) step.body()).mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256");
        assertThat(step.thenClose()).isTrue();
    }

    /** Drives kafka-clients' SCRAM client against the authenticator; returns the last step. */
    private SaslAuthenticator.Step scram(SaslAuthenticator auth, String user, String password, long nowNs)
            throws Exception {
        ScramSaslClient client = new ScramSaslClient(ScramMechanism.SCRAM_SHA_256, callbacks -> {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(user);
                } else if (callback instanceof PasswordCallback pw) {
                    pw.setPassword(password.toCharArray());
                } else if (callback instanceof ScramExtensionsCallback) {
                    // no extensions
                }
            }
        });
        byte[] token = client.evaluateChallenge(new byte[0]);
        SaslAuthenticator.Step step = auth.onFrame(authenticate(token, (short) 2), nowNs);
        SaslAuthenticateResponseData first = authenticateResponse(step);
        if (first.errorCode() != 0) {
            return step;
        }
        token = client.evaluateChallenge(first.authBytes());
        step = auth.onFrame(authenticate(token, (short) 2), nowNs);
        SaslAuthenticateResponseData last = authenticateResponse(step);
        if (last.errorCode() == 0) {
            client.evaluateChallenge(last.authBytes()); // checks the server's signature
            assertThat(client.isComplete()).isTrue();
        }
        return step;
    }

    @Test
    void scramAuthenticatesWithTheStoresCredentialAndRefusesAWrongPassword() throws Exception {
        SaslAuthenticator auth = authenticator(0);
        auth.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        assertThat(authenticateResponse(scram(auth, "alice", "alice-scram", 0)).errorCode()).isZero();
        assertThat(auth.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));

        SaslAuthenticator wrong = authenticator(0);
        wrong.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        SaslAuthenticateResponseData refused = authenticateResponse(scram(wrong, "alice", "nope", 0));
        assertThat(refused.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(refused.errorMessage()).isEqualTo("Authentication failed during authentication due to invalid"
                + " credentials with SASL mechanism SCRAM-SHA-256");

        SaslAuthenticator unknown = authenticator(0);
        unknown.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        assertThat(authenticateResponse(scram(unknown, "bob", "x", 0)).errorCode())
                .isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
    }

    @Test
    void anExpiredSessionClosesOnTheNextRequestUnlessTheClientReauthenticated() throws Exception {
        SaslAuthenticator lapsed = authenticator(1_000);
        lapsed.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        assertThat(authenticateResponse(scram(lapsed, "alice", "alice-scram", 0)).sessionLifetimeMs()).isEqualTo(1_000);
        assertThat(lapsed.onFrame(metadata(), 999 * MS)).isInstanceOf(SaslAuthenticator.Serve.class);
        assertThat(lapsed.onFrame(metadata(), 1_001 * MS)).isInstanceOf(SaslAuthenticator.Close.class);

        SaslAuthenticator renewed = authenticator(1_000);
        renewed.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        scram(renewed, "alice", "alice-scram", 0);
        assertThat(renewed.onFrame(handshake("SCRAM-SHA-256", (short) 1), 900 * MS))
                .isInstanceOf(SaslAuthenticator.Respond.class);
        assertThat(renewed.state()).isEqualTo(SaslAuthenticator.State.REAUTHENTICATE);
        assertThat(renewed.onFrame(metadata(), 950 * MS)).isInstanceOf(SaslAuthenticator.Close.class);

        SaslAuthenticator again = authenticator(1_000);
        again.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        scram(again, "alice", "alice-scram", 0);
        again.onFrame(handshake("SCRAM-SHA-256", (short) 1), 900 * MS);
        assertThat(authenticateResponse(scram(again, "alice", "alice-scram", 900 * MS)).errorCode()).isZero();
        assertThat(again.onFrame(metadata(), 1_500 * MS)).isInstanceOf(SaslAuthenticator.Serve.class);
        assertThat(again.onFrame(metadata(), 1_901 * MS)).isInstanceOf(SaslAuthenticator.Close.class);
    }

    @Test
    void reauthenticationMayNotChangeTheMechanismOrThePrincipal() throws Exception {
        SaslAuthenticator otherMechanism = authenticator(1_000);
        otherMechanism.onFrame(handshake("SCRAM-SHA-256", (short) 1), 0);
        scram(otherMechanism, "alice", "alice-scram", 0);
        SaslAuthenticator.Respond refused = (SaslAuthenticator.Respond) otherMechanism.onFrame(
                handshake("PLAIN", (short) 1), 10 * MS);
        assertThat(((SaslHandshakeResponseData) refused.body()).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(refused.thenClose()).isTrue();

        SaslAuthenticator otherUser = authenticator(1_000);
        otherUser.onFrame(handshake("PLAIN", (short) 1), 0);
        otherUser.onFrame(authenticate(plainToken("alice", "alice-secret"), (short) 2), 0);
        otherUser.onFrame(handshake("PLAIN", (short) 1), 10 * MS);
        SaslAuthenticateResponseData changed = authenticateResponse(
                otherUser.onFrame(authenticate(plainToken("admin", "admin-secret"), (short) 2), 10 * MS));
        assertThat(changed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(changed.errorMessage()).contains("Cannot change principals during re-authentication");
    }

    @Test
    void afterHandshakeVersionZeroTokensComeRaw() {
        SaslAuthenticator auth = authenticator(0);
        auth.onFrame(handshake("PLAIN", (short) 0), 0);
        SaslAuthenticator.Step step = auth.onFrame(ByteBuffer.wrap(plainToken("alice", "alice-secret")), 0);
        assertThat(step).isInstanceOf(SaslAuthenticator.RawToken.class);
        assertThat(((SaslAuthenticator.RawToken) step).token()).isEmpty();
        assertThat(auth.isAuthenticated()).isTrue();
        SaslAuthenticator wrong = authenticator(0);
        wrong.onFrame(handshake("PLAIN", (short) 0), 0);
        assertThat(wrong.onFrame(ByteBuffer.wrap(plainToken("alice", "x")), 0)).isInstanceOf(SaslAuthenticator.Close.class);
    }

    @Test
    void plainUsersComeFromTheListenersJaasLine() {
        SaslMechanisms mechanisms = mechanisms(0);
        assertThat(mechanisms.enabled()).containsExactly("PLAIN", "SCRAM-SHA-256");
        assertThatThrownBy(() -> new SaslMechanisms(security(Map.of("sasl.enabled.mechanisms", List.of("PLAIN"))),
                ScramCredentialStore.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener.name.sasl_plaintext.plain.sasl.jaas.config");
        assertThatThrownBy(() -> new SaslMechanisms(security(Map.of("sasl.enabled.mechanisms", List.of("PLAIN"),
                "plain.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")),
                ScramCredentialStore.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PlainLoginModule");
        assertThatThrownBy(() -> new SaslMechanisms(security(Map.of("sasl.enabled.mechanisms", List.of("PLAIN"),
                "plain.sasl.jaas.config", "not a jaas line")), ScramCredentialStore.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        // A user the line does not name, and the line's own client credentials, are not PLAIN users by themselves.
        SaslAuthenticator auth = authenticator(0);
        auth.onFrame(handshake("PLAIN", (short) 1), 0);
        assertThat(authenticateResponse(auth.onFrame(authenticate(plainToken("bob", "admin-secret"), (short) 1), 0))
                .errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
    }

    @Test
    void aSaslConnectionRefusesRequestsUntilAuthenticatedThenRaisesItsFrameLimit() {
        ApiRegistry registry = new ApiRegistry().register(new io.strand.broker.api.security.SaslHandshakeHandler());
        FrameDecoder decoder = new FrameDecoder(mechanisms(0).maxReceiveBytes(), "sasl.server.max.receive.size", RequestMemory.unbounded());
        ConnectionHandler handler = new ConnectionHandler(registry, security(Map.of()), mechanisms(0),
                100 * 1024 * 1024, Runnable::run, RequestMemory.unbounded());
        io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel(decoder, handler);
        channel.writeInbound(sized(handshake("PLAIN", (short) 1)));
        io.netty.buffer.ByteBuf handshakeAnswer = channel.readOutbound();
        assertThat(handshakeAnswer).isNotNull();
        handshakeAnswer.release();
        assertThat(decoder.maxFrameBytes()).isEqualTo(524_288);
        channel.writeInbound(sized(authenticate(plainToken("alice", "alice-secret"), (short) 2)));
        io.netty.buffer.ByteBuf authenticated = channel.readOutbound();
        assertThat(authenticated).isNotNull();
        authenticated.release();
        assertThat(decoder.maxFrameBytes()).isEqualTo(100 * 1024 * 1024);
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();

        io.netty.channel.embedded.EmbeddedChannel refused = new io.netty.channel.embedded.EmbeddedChannel(
                new FrameDecoder(524_288, "sasl.server.max.receive.size", RequestMemory.unbounded()),
                new ConnectionHandler(registry, security(Map.of()), mechanisms(0), 100 * 1024 * 1024, Runnable::run, RequestMemory.unbounded()));
        refused.writeInbound(sized(metadata()));
        assertThat((Object) refused.readOutbound()).isNull();
        assertThat(refused.isOpen()).isFalse();
        refused.finishAndReleaseAll();
    }

    private static io.netty.buffer.ByteBuf sized(ByteBuffer frame) {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer(4 + frame.remaining());
        return buf.writeInt(frame.remaining()).writeBytes(frame);
    }

    @Test
    void aVersionZeroClientGetsAnAnswerItCanReadAndIsClosedAtExpiry() {
        SaslAuthenticator auth = authenticator(1_000);
        auth.onFrame(handshake("PLAIN", (short) 1), 0);
        SaslAuthenticateResponseData done = authenticateResponse(
                auth.onFrame(authenticate(plainToken("alice", "alice-secret"), (short) 0), 0));
        assertThat(org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(done, (short) 0).buffer()
                .remaining()).isPositive();
        assertThat(auth.onFrame(handshake("PLAIN", (short) 1), 500 * MS)).isInstanceOf(SaslAuthenticator.Serve.class);
        assertThat(auth.onFrame(metadata(), 1_001 * MS)).isInstanceOf(SaslAuthenticator.Close.class);
    }

    @Test
    void perMechanismReauthOverridesTheListenersDefault() {
        SaslMechanisms mechanisms = new SaslMechanisms(security(Map.of("sasl.enabled.mechanisms",
                List.of("SCRAM-SHA-256", "SCRAM-SHA-512"), "connections.max.reauth.ms", 5_000L,
                "scram-sha-512.connections.max.reauth.ms", "7000")), ScramCredentialStore.NONE);
        assertThat(mechanisms.reauthMs("SCRAM-SHA-256")).isEqualTo(5_000);
        assertThat(mechanisms.reauthMs("SCRAM-SHA-512")).isEqualTo(7_000);
        assertThat(ApiKeys.SASL_AUTHENTICATE.latestVersion()).isGreaterThanOrEqualTo(SaslAuthenticator.MAX_AUTHENTICATE_VERSION);
    }
}
