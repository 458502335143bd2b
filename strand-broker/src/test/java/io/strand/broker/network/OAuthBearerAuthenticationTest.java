package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAUTHBEARER on a listener: Kafka's validator with a JWKS file (signature, expiry, audience, issuer,
 * subject as the principal, session bounded by the token's expiry), Kafka's unsecured development
 * validator, and the configurations refused at start.
 */
class OAuthBearerAuthenticationTest {

    private static final String VALIDATOR = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
    private static final String JAAS = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;";
    private static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);

    @TempDir
    static Path dir;
    private static RsaJsonWebKey key;
    private static RsaJsonWebKey otherKey;
    private static String jwksUrl;
    private static String allowedUrlsBefore;

    private final AtomicLong wallClockMs = new AtomicLong(System.currentTimeMillis());
    private int correlationId;

    @BeforeAll
    static void writeJwks() throws Exception {
        key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("strand-test");
        otherKey = RsaJwkGenerator.generateJwk(2048);
        otherKey.setKeyId("strand-test");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(key).toJson());
        jwksUrl = jwks.toUri().toString();
        allowedUrlsBefore = System.getProperty(ALLOWED_URLS);
        System.setProperty(ALLOWED_URLS, jwksUrl);
    }

    @AfterAll
    static void restoreAllowedUrls() {
        if (allowedUrlsBefore == null) {
            System.clearProperty(ALLOWED_URLS);
        } else {
            System.setProperty(ALLOWED_URLS, allowedUrlsBefore);
        }
    }

    private static Map<String, Object> validatorConfigs() {
        Map<String, Object> configs = new HashMap<>();
        configs.put("sasl.enabled.mechanisms", List.of("OAUTHBEARER"));
        configs.put("oauthbearer.sasl.server.callback.handler.class", VALIDATOR);
        configs.put("oauthbearer.sasl.jaas.config", JAAS);
        configs.put("sasl.oauthbearer.jwks.endpoint.url", jwksUrl);
        configs.put("sasl.oauthbearer.expected.audience", List.of("strand"));
        configs.put("sasl.oauthbearer.expected.issuer", "https://issuer.test");
        configs.put("sasl.oauthbearer.clock.skew.seconds", 5);
        configs.put("sasl.oauthbearer.scope.claim.name", "scope");
        configs.put("sasl.oauthbearer.sub.claim.name", "sub");
        configs.put("sasl.oauthbearer.jwks.endpoint.refresh.ms", 3_600_000L);
        configs.put("sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", 100L);
        configs.put("sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms", 10_000L);
        configs.put("sasl.oauthbearer.jwt.validator.class", "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator");
        return configs;
    }

    private static ListenerSecurity security(Map<String, Object> configs) {
        return new ListenerSecurity("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT, configs,
                new DefaultKafkaPrincipalBuilder(null, null)::build);
    }

    /** A JWT for {@code subject} signed by {@code signer}, expiring {@code expiresInSeconds} from now. */
    static String jwt(RsaJsonWebKey signer, String subject, String audience, long expiresInSeconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("https://issuer.test");
        claims.setAudience(audience);
        claims.setSubject(subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(expiresInSeconds / 60f);
        claims.setStringClaim("scope", "produce consume");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.getPrivateKey());
        jws.setKeyIdHeaderValue(signer.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    private ByteBuffer frame(AbstractRequest request) {
        return request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "test", ++correlationId));
    }

    private static byte[] initialResponse(String token) throws Exception {
        return new OAuthBearerClientInitialResponse(token, SaslExtensions.empty()).toBytes();
    }

    /** Handshake and the client's first token; the answer to that token. */
    private SaslAuthenticateResponseData authenticate(SaslAuthenticator auth, String token) throws Exception {
        SaslAuthenticator.Step handshake = auth.onFrame(frame(new SaslHandshakeRequest.Builder(
                new SaslHandshakeRequestData().setMechanism("OAUTHBEARER")).build((short) 1)), 0);
        assertThat(((SaslHandshakeResponseData) ((SaslAuthenticator.Respond) handshake).body()).errorCode())
                .isEqualTo(Errors.NONE.code());
        return answer(auth, initialResponse(token));
    }

    private SaslAuthenticateResponseData answer(SaslAuthenticator auth, byte[] bytes) {
        SaslAuthenticator.Step step = auth.onFrame(frame(new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(bytes)).build((short) 2)), 0);
        return (SaslAuthenticateResponseData) ((SaslAuthenticator.Respond) step).body();
    }

    private SaslAuthenticator authenticator(SaslMechanisms mechanisms) {
        return new SaslAuthenticator(security(Map.of()), mechanisms, CLIENT.getAddress(), v -> true, wallClockMs::get);
    }

    /** A refused token gets an error challenge first, then Kafka's failure on the client's %x01. */
    private void assertRefused(SaslMechanisms mechanisms, String token) throws Exception {
        SaslAuthenticator auth = authenticator(mechanisms);
        SaslAuthenticateResponseData challenge = authenticate(auth, token);
        assertThat(challenge.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(new String(challenge.authBytes(), StandardCharsets.UTF_8)).contains("invalid_token");
        SaslAuthenticateResponseData failed = answer(auth, new byte[] {1});
        assertThat(failed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(auth.state()).isEqualTo(SaslAuthenticator.State.FAILED);
    }

    @Test
    void aSignedTokenAuthenticatesAsItsSubjectForAtMostItsLifetime() throws Exception {
        Map<String, Object> configs = validatorConfigs();
        configs.put("connections.max.reauth.ms", 3_600_000L);
        try (SaslMechanisms mechanisms = new SaslMechanisms(security(configs), ScramCredentialStore.NONE)) {
            SaslAuthenticator auth = authenticator(mechanisms);
            SaslAuthenticateResponseData done = authenticate(auth, jwt(key, "alice", "strand", 600));
            assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(auth.isAuthenticated()).isTrue();
            assertThat(auth.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
            // The token expires in 10 minutes, before connections.max.reauth.ms (an hour).
            assertThat(done.sessionLifetimeMs()).isBetween(590_000L, 600_000L);
        }
    }

    @Test
    void withoutMaxReauthTheTokensExpiryStillEndsTheSession() throws Exception {
        try (SaslMechanisms mechanisms = new SaslMechanisms(security(validatorConfigs()), ScramCredentialStore.NONE)) {
            SaslAuthenticator auth = authenticator(mechanisms);
            SaslAuthenticateResponseData done = authenticate(auth, jwt(key, "alice", "strand", 120));
            assertThat(done.sessionLifetimeMs()).isBetween(110_000L, 120_000L);
            assertThat(auth.onFrame(frame(new org.apache.kafka.common.requests.MetadataRequest(
                    new org.apache.kafka.common.message.MetadataRequestData(), (short) 12)), 130_000L * 1_000_000L))
                    .isInstanceOf(SaslAuthenticator.Close.class);
        }
    }

    @Test
    void reauthenticationTakesAFreshTokenOfTheSameSubjectOnly() throws Exception {
        try (SaslMechanisms mechanisms = new SaslMechanisms(security(validatorConfigs()), ScramCredentialStore.NONE)) {
            SaslAuthenticator auth = authenticator(mechanisms);
            assertThat(authenticate(auth, jwt(key, "alice", "strand", 120)).errorCode()).isEqualTo(Errors.NONE.code());
            SaslAuthenticateResponseData renewed = authenticate(auth, jwt(key, "alice", "strand", 600));
            assertThat(renewed.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(renewed.sessionLifetimeMs()).isGreaterThan(120_000L);
            assertThat(auth.isAuthenticated()).isTrue();
            SaslAuthenticateResponseData other = authenticate(auth, jwt(key, "mallory", "strand", 600));
            assertThat(other.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(other.errorMessage()).contains("Cannot change principals");
        }
    }

    @Test
    void expiredForeignAndMisaddressedTokensAreRefused() throws Exception {
        try (SaslMechanisms mechanisms = new SaslMechanisms(security(validatorConfigs()), ScramCredentialStore.NONE)) {
            assertRefused(mechanisms, jwt(key, "alice", "strand", -120));
            assertRefused(mechanisms, jwt(otherKey, "alice", "strand", 600));
            assertRefused(mechanisms, jwt(key, "alice", "elsewhere", 600));
            assertRefused(mechanisms, "not.a.jwt");
        }
    }

    @Test
    void sessionLifetimeIsTheShorterOfMaxReauthAndTheCredentialsAsKafkaSetsIt() {
        assertThat(SaslAuthenticator.sessionLifetimeMs(0, null, 1_000)).isZero();
        assertThat(SaslAuthenticator.sessionLifetimeMs(5_000, null, 1_000)).isEqualTo(5_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(0, 61_000L, 1_000)).isEqualTo(60_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(5_000, 61_000L, 1_000)).isEqualTo(5_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(90_000, 61_000L, 1_000)).isEqualTo(60_000);
        assertThat(SaslAuthenticator.sessionLifetimeMs(5_000, 500L, 1_000)).isZero();
    }

    @Test
    void withoutAHandlerClassKafkasUnsecuredValidatorAcceptsUnsignedTokens() throws Exception {
        Map<String, Object> configs = Map.of("sasl.enabled.mechanisms", List.of("OAUTHBEARER"),
                "oauthbearer.sasl.jaas.config", JAAS);
        try (SaslMechanisms mechanisms = new SaslMechanisms(security(configs), ScramCredentialStore.NONE)) {
            String header = base64Url("{\"alg\":\"none\"}");
            long nowSeconds = System.currentTimeMillis() / 1000;
            String payload = base64Url("{\"sub\":\"dev\",\"iat\":" + nowSeconds + ",\"exp\":" + (nowSeconds + 300) + "}");
            SaslAuthenticator auth = authenticator(mechanisms);
            SaslAuthenticateResponseData done = authenticate(auth, header + "." + payload + ".");
            assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(auth.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "dev"));
            // A signed token is not an unsecured one.
            assertRefused(mechanisms, jwt(key, "alice", "strand", 600));
        }
    }

    private static String base64Url(String json) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void listenersThatCannotValidateAsConfiguredDoNotStart() {
        Map<String, Object> otherHandler = validatorConfigs();
        otherHandler.put("oauthbearer.sasl.server.callback.handler.class", "com.example.MyValidator");
        assertThatThrownBy(() -> new SaslMechanisms(security(otherHandler), ScramCredentialStore.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class")
                .hasMessageContaining("com.example.MyValidator is not served");
        Map<String, Object> forgotTheValidator = validatorConfigs();
        forgotTheValidator.remove("oauthbearer.sasl.server.callback.handler.class");
        assertThatThrownBy(() -> new SaslMechanisms(security(forgotTheValidator), ScramCredentialStore.NONE))
                .hasMessageContaining("sets sasl.oauthbearer.")
                .hasMessageContaining("unsecured validator, which accepts unsigned tokens");
        Map<String, Object> noJwks = validatorConfigs();
        noJwks.remove("sasl.oauthbearer.jwks.endpoint.url");
        assertThatThrownBy(() -> new SaslMechanisms(security(noJwks), ScramCredentialStore.NONE))
                .hasMessageContaining("sasl.oauthbearer.jwks.endpoint.url is not set");
        Map<String, Object> noJaas = validatorConfigs();
        noJaas.remove("oauthbearer.sasl.jaas.config");
        assertThatThrownBy(() -> new SaslMechanisms(security(noJaas), ScramCredentialStore.NONE))
                .hasMessageContaining("listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config is not set");
        Map<String, Object> plainModule = validatorConfigs();
        plainModule.put("oauthbearer.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;");
        assertThatThrownBy(() -> new SaslMechanisms(security(plainModule), ScramCredentialStore.NONE))
                .hasMessageContaining("must name org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule");
        Map<String, Object> notAllowed = validatorConfigs();
        notAllowed.put("sasl.oauthbearer.jwks.endpoint.url", dir.resolve("elsewhere.json").toUri().toString());
        assertThatThrownBy(() -> new SaslMechanisms(security(notAllowed), ScramCredentialStore.NONE))
                .hasMessageContaining("cannot configure").hasMessageContaining(ALLOWED_URLS);
        Map<String, Object> login = validatorConfigs();
        login.put("oauthbearer.sasl.login.callback.handler.class",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
        assertThatThrownBy(() -> new SaslMechanisms(security(login), ScramCredentialStore.NONE))
                .hasMessageContaining("oauthbearer.sasl.login.callback.handler.class is not served");
        Map<String, Object> plainHandler = validatorConfigs();
        plainHandler.put("sasl.enabled.mechanisms", List.of("PLAIN", "OAUTHBEARER"));
        plainHandler.put("plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;");
        plainHandler.put("plain.sasl.server.callback.handler.class", VALIDATOR);
        assertThatThrownBy(() -> new SaslMechanisms(security(plainHandler), ScramCredentialStore.NONE))
                .hasMessageContaining("plain.sasl.server.callback.handler.class is not served");
    }
}
