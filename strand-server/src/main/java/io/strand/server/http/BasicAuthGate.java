package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication ({@code strand.http.authentication=basic}): every path but the open ones
 * ({@link #OPEN_PATHS}: liveness and readiness, which orchestrators probe without credentials) needs an
 * {@code Authorization: Basic} header whose user and password the {@link PasswordCheck} accepts; the
 * caller is then {@code User:<name>}. Missing, malformed or wrong credentials get 401 with
 * {@code WWW-Authenticate: Basic realm="strand", charset="UTF-8"} (a browser asks its user for them);
 * a password that cannot be checked yet (the node still starting) gets 503. An open path is served as
 * {@code User:ANONYMOUS}. Thread-safe; stateless beyond the check.
 */
public final class BasicAuthGate implements HttpGate {

    /** Paths served without credentials. */
    public static final Set<String> OPEN_PATHS = Set.of("/health/live", "/health/ready");
    static final String CHALLENGE = "Basic realm=\"strand\", charset=\"UTF-8\"";
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthGate.class);

    /** Whether a user's password is right. Thread-safe; answers from memory. */
    @FunctionalInterface
    public interface PasswordCheck {

        /** A check's outcome. */
        enum Verdict {
            /** The password is the user's. */
            VALID,
            /** No such user, or another password. */
            INVALID,
            /** Cannot be told yet (the node's users are not loaded). */
            UNAVAILABLE
        }

        Verdict check(String user, String password);
    }

    private final PasswordCheck passwords;

    public BasicAuthGate(PasswordCheck passwords) {
        this.passwords = passwords;
    }

    @Override
    public Admission admit(FullHttpRequest request, String path, InetAddress client) {
        if (OPEN_PATHS.contains(path)) {
            return Admission.admit(HttpCaller.anonymous(client));
        }
        Optional<BasicCredentials> credentials = BasicCredentials.parse(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (credentials.isEmpty()) {
            return Admission.refuse(unauthorized("HTTP 401 Unauthorized: this node needs HTTP Basic credentials"));
        }
        BasicCredentials given = credentials.get();
        return switch (passwords.check(given.user(), given.password())) {
            case VALID -> Admission.admit(new HttpCaller(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, given.user()), client));
            case UNAVAILABLE -> Admission.refuse(HttpReply.error(503,
                    "HTTP 503 Service Unavailable: the node is starting and cannot check passwords yet"));
            case INVALID -> {
                LOG.info("HTTP authentication failed for user {} from {}", given.user(), client);
                yield Admission.refuse(unauthorized("HTTP 401 Unauthorized: authentication failed for user "
                        + given.user()));
            }
        };
    }

    private static HttpReply unauthorized(String message) {
        HttpReply error = HttpReply.error(401, message);
        return new HttpReply(401, error.contentType(), error.body(), Map.of("WWW-Authenticate", CHALLENGE));
    }
}
