package io.strand.broker.network;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SaslAuthenticationContext;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SASL connection's authentication, as Kafka's server authenticator runs it (KIP-43, KIP-152,
 * KIP-368): it sees every request frame of the connection first and says what to do with it
 * ({@link Step}). Before authentication only ApiVersions (once), SaslHandshake (v0–1) and
 * SaslAuthenticate (v0–2) are answered, and any other request closes the connection; after it, requests
 * go to their handlers, a SaslHandshake begins a re-authentication, and once the session has expired
 * ({@code connections.max.reauth.ms}, or sooner when the credential expires: an OAUTHBEARER token's
 * {@code exp}, as Kafka bounds it) the next other request closes the connection. After SaslHandshake
 * v0 the tokens come without Kafka framing (raw: each frame is a token, each answer a size-prefixed
 * token), as Kafka's v0 clients send them.
 *
 * <p>States and transitions:
 * <pre>
 * HANDSHAKE_OR_VERSIONS --ApiVersions--> HANDSHAKE --SaslHandshake--> AUTHENTICATE --done--> COMPLETE
 * HANDSHAKE_OR_VERSIONS --SaslHandshake--> AUTHENTICATE
 * COMPLETE --SaslHandshake (client speaks SaslAuthenticate v1+)--> REAUTHENTICATE --done--> COMPLETE
 * any state --refused, failed, expired--> FAILED (the connection closes; FAILED is final)
 * </pre>
 *
 * <p>Not thread-safe: owned by the connection's event loop. Time comes in as {@code nowNs} (and the wall
 * clock, against which credentials expire, from the supplier given). Knows
 * nothing of the channel, so TLS (a handler ahead of the frames) does not change it.
 */
final class SaslAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(SaslAuthenticator.class);
    static final short MAX_HANDSHAKE_VERSION = 1;
    static final short MAX_AUTHENTICATE_VERSION = 2;

    /** Where a connection is in its authentication. */
    enum State {
        /** Nothing received yet: ApiVersions or SaslHandshake. */
        HANDSHAKE_OR_VERSIONS,
        /** ApiVersions answered: SaslHandshake only. */
        HANDSHAKE,
        /** Mechanism chosen: SaslAuthenticate requests (raw tokens after handshake v0) until the server is done. */
        AUTHENTICATE,
        /** Authenticated: requests go to their handlers. */
        COMPLETE,
        /** Re-authenticating an authenticated connection: SaslAuthenticate requests only. */
        REAUTHENTICATE,
        /** Refused or failed: the connection closes. */
        FAILED
    }

    /** What the connection does with a frame. */
    sealed interface Step {
    }

    /** Hand the frame to its handler as any request. */
    record Serve() implements Step {
    }

    /** Write {@code body} as the response to {@code header}'s request (at its version), then close if told. */
    record Respond(RequestHeader header, ApiMessage body, boolean thenClose) implements Step {
    }

    /** Write {@code token} as a size-prefixed frame without a response header (after handshake v0). */
    record RawToken(byte[] token) implements Step {
    }

    /** Close the connection without an answer. */
    record Close(String reason) implements Step {
    }

    private static final Serve SERVE = new Serve();
    private static final long NO_EXPIRY = Long.MIN_VALUE;

    private final ListenerSecurity security;
    private final SaslMechanisms mechanisms;
    /** The client's address, null when the transport has none. */
    private final InetAddress client;
    private final Predicate<Short> servesApiVersions;
    private final LongSupplier wallClockMs;
    private State state = State.HANDSHAKE_OR_VERSIONS;
    private String mechanism;
    private SaslServer server;
    private boolean rawTokens;
    /** Whether the client used SaslAuthenticate v1+, so knows session lifetimes and can re-authenticate. */
    private boolean clientReauthenticates;
    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    private long sessionExpiryNs = NO_EXPIRY;
    /** The lifetime of the session last authenticated, as SaslAuthenticate v1+ answers it; 0 for none. */
    private long sessionLifetimeMs;

    /**
     * @param servesApiVersions whether an ApiVersions request of a version is answered normally (a newer
     *                          one gets UNSUPPORTED_VERSION and may be retried at a lower version)
     */
    SaslAuthenticator(ListenerSecurity security, SaslMechanisms mechanisms, InetAddress client,
                      Predicate<Short> servesApiVersions) {
        this(security, mechanisms, client, servesApiVersions, System::currentTimeMillis);
    }

    /** @param wallClockMs the time in epoch milliseconds, to which credential expiries are compared */
    SaslAuthenticator(ListenerSecurity security, SaslMechanisms mechanisms, InetAddress client,
                      Predicate<Short> servesApiVersions, LongSupplier wallClockMs) {
        this.security = security;
        this.mechanisms = mechanisms;
        this.client = client;
        this.servesApiVersions = servesApiVersions;
        this.wallClockMs = wallClockMs;
    }

    State state() {
        return state;
    }

    boolean isAuthenticated() {
        return state == State.COMPLETE;
    }

    /** Who the client authenticated as; {@link KafkaPrincipal#ANONYMOUS} until it has. */
    KafkaPrincipal principal() {
        return principal;
    }

    /** The lifetime of the session last authenticated (as SaslAuthenticate v1+ answers it); 0 when unbounded. */
    long sessionLifetimeMs() {
        return sessionLifetimeMs;
    }

    /** The largest frame to accept now: {@code sasl.server.max.receive.size} unless authenticated. */
    int maxFrameBytes(int afterAuthentication) {
        return state == State.COMPLETE ? afterAuthentication : mechanisms.maxReceiveBytes();
    }

    /** What to do with the next request frame, which starts at its position, received at {@code nowNs}. */
    Step onFrame(ByteBuffer frame, long nowNs) {
        try {
            return switch (state) {
                case COMPLETE -> onAuthenticatedFrame(frame, nowNs);
                case HANDSHAKE_OR_VERSIONS, HANDSHAKE -> onHandshakeFrame(frame);
                case AUTHENTICATE, REAUTHENTICATE -> rawTokens ? onRawToken(frame, nowNs) : onAuthenticate(frame, nowNs);
                case FAILED -> new Close("authentication failed");
            };
        } catch (RuntimeException e) {
            return fail("cannot read request during SASL " + state + ": " + e);
        }
    }

    private Step onAuthenticatedFrame(ByteBuffer frame, long nowNs) {
        short apiKey = frame.remaining() >= 2 ? frame.getShort(frame.position()) : -1;
        if (apiKey == ApiKeys.SASL_HANDSHAKE.id && clientReauthenticates) {
            return onHandshakeFrame(frame);
        }
        if (sessionExpiryNs != NO_EXPIRY && nowNs - sessionExpiryNs > 0) {
            return fail("the SASL session of " + principal + " expired (connections.max.reauth.ms or the"
                    + " credential's expiry) without re-authentication");
        }
        return SERVE;
    }

    private Step onHandshakeFrame(ByteBuffer frame) {
        RequestHeader header = RequestHeader.parse(frame);
        ApiKeys apiKey = header.apiKey();
        if (apiKey == ApiKeys.API_VERSIONS && state == State.HANDSHAKE_OR_VERSIONS) {
            if (servesApiVersions.test(header.apiVersion())) {
                state = State.HANDSHAKE;
            }
            frame.rewind();
            return SERVE;
        }
        if (apiKey != ApiKeys.SASL_HANDSHAKE) {
            return fail("unexpected Kafka request of type " + apiKey + " during SASL handshake");
        }
        if (header.apiVersion() > MAX_HANDSHAKE_VERSION) {
            return fail("unsupported SaslHandshake version " + header.apiVersion());
        }
        SaslHandshakeRequest request = (SaslHandshakeRequest) AbstractRequest.parseRequest(apiKey,
                header.apiVersion(), new ByteBufferAccessor(frame)).request;
        String asked = request.data().mechanism();
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(mechanisms.enabled());
        boolean reauthenticating = state == State.COMPLETE;
        if (!mechanisms.enabled().contains(asked) || (reauthenticating && !asked.equals(mechanism))
                || (reauthenticating && header.apiVersion() == 0)) {
            LOG.info("Closing SASL connection from {}: mechanism {} {}", client, asked,
                    reauthenticating ? "differs from the session's " + mechanism : "is not enabled");
            state = State.FAILED;
            return new Respond(header, response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()), true);
        }
        try {
            server = mechanisms.newServer(asked);
        } catch (SaslException e) {
            return fail("cannot create the SASL server for " + asked + ": " + e);
        }
        mechanism = asked;
        rawTokens = header.apiVersion() == 0;
        state = reauthenticating ? State.REAUTHENTICATE : State.AUTHENTICATE;
        return new Respond(header, response, false);
    }

    private Step onAuthenticate(ByteBuffer frame, long nowNs) {
        RequestHeader header = RequestHeader.parse(frame);
        if (header.apiKey() != ApiKeys.SASL_AUTHENTICATE) {
            return fail("unexpected Kafka request of type " + header.apiKey() + " during SASL authentication");
        }
        if (header.apiVersion() > MAX_AUTHENTICATE_VERSION) {
            return fail("unsupported SaslAuthenticate version " + header.apiVersion());
        }
        SaslAuthenticateRequest request = (SaslAuthenticateRequest) AbstractRequest.parseRequest(header.apiKey(),
                header.apiVersion(), new ByteBufferAccessor(frame)).request;
        byte[] challenge;
        try {
            challenge = server.evaluateResponse(request.data().authBytes());
        } catch (SaslAuthenticationException e) {
            return failAuthentication(header, e.getMessage());
        } catch (SaslException e) {
            LOG.info("SASL {} authentication from {} failed: {}", mechanism, client, e.getMessage());
            return failAuthentication(header, "Authentication failed during "
                    + (state == State.REAUTHENTICATE ? "re-authentication" : "authentication")
                    + " due to invalid credentials with SASL mechanism " + mechanism);
        }
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData()
                .setAuthBytes(challenge == null ? new byte[0] : challenge);
        if (!server.isComplete()) {
            return new Respond(header, response, false);
        }
        if (header.apiVersion() >= 1) {
            clientReauthenticates = true;
        }
        String refused = complete(nowNs);
        if (refused != null) {
            return failAuthentication(header, refused);
        }
        if (header.apiVersion() >= 1) {
            // Only v1+ has the field; a v0 client cannot re-authenticate and is closed at expiry, as by Kafka.
            response.setSessionLifetimeMs(sessionLifetimeMs);
        }
        return new Respond(header, response, false);
    }

    private Step onRawToken(ByteBuffer frame, long nowNs) {
        byte[] token = new byte[frame.remaining()];
        frame.get(token);
        byte[] challenge;
        try {
            challenge = server.evaluateResponse(token);
        } catch (SaslException | RuntimeException e) {
            return fail("SASL authentication with raw tokens failed: " + e.getMessage());
        }
        if (server.isComplete()) {
            String refused = complete(nowNs);
            if (refused != null) {
                return fail(refused);
            }
        }
        return new RawToken(challenge == null ? new byte[0] : challenge);
    }

    /** The server is done: names the principal and starts the session; a refusal's message, or null. */
    private String complete(long nowNs) {
        KafkaPrincipal authenticated = security.principal(new SaslAuthenticationContext(server,
                security.securityProtocol(), client, ListenerName.normalised(security.listenerName()).value()));
        if (state == State.REAUTHENTICATE && !authenticated.equals(principal)) {
            return "Cannot change principals during re-authentication from " + principal + ": " + authenticated;
        }
        principal = authenticated;
        long maxReauthMs = mechanisms.reauthMs(mechanism);
        Object credentialExpiry = server.getNegotiatedProperty(
                SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY);
        sessionLifetimeMs = sessionLifetimeMs(maxReauthMs,
                credentialExpiry instanceof Long expiryMs ? expiryMs : null, wallClockMs.getAsLong());
        sessionExpiryNs = maxReauthMs > 0 || credentialExpiry instanceof Long
                ? nowNs + sessionLifetimeMs * 1_000_000L : NO_EXPIRY;
        disposeServer();
        state = State.COMPLETE;
        return null;
    }

    /**
     * A session's lifetime as Kafka's server authenticator sets it: {@code connections.max.reauth.ms} (0 for
     * none) and the credential's remaining lifetime (an OAUTHBEARER token's expiry), whichever is shorter,
     * and never negative; 0 when neither bounds it.
     */
    static long sessionLifetimeMs(long maxReauthMs, Long credentialExpiryMs, long nowMs) {
        if (credentialExpiryMs == null) {
            return Math.max(0, maxReauthMs);
        }
        long remainingMs = Math.max(0, credentialExpiryMs - nowMs);
        return maxReauthMs > 0 ? Math.min(remainingMs, maxReauthMs) : remainingMs;
    }

    private Step failAuthentication(RequestHeader header, String message) {
        LOG.info("Failed SASL authentication from {} with mechanism {}: {}", client, mechanism, message);
        state = State.FAILED;
        disposeServer();
        return new Respond(header, new SaslAuthenticateResponseData()
                .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(message), true);
    }

    private Step fail(String reason) {
        state = State.FAILED;
        disposeServer();
        return new Close(reason);
    }

    private void disposeServer() {
        if (server != null) {
            try {
                server.dispose();
            } catch (SaslException e) {
                LOG.debug("Cannot dispose the SASL server", e);
            }
            server = null;
        }
    }
}
