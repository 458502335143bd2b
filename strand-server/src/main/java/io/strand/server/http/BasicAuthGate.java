package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * {@code User:ANONYMOUS}.
 *
 * <p>Threads: a check the {@link PasswordCheck} can answer at once (a PLAIN user, a password already
 * found right) is answered on the event loop; one that needs salting runs on {@value #CHECKER_THREADS}
 * {@code strand-http-auth} thread(s) with at most {@value #MAX_WAITING} waiting, so guessed passwords
 * cannot stall the event loop that also answers the health probes; beyond that, 503. Thread-safe;
 * {@link #close} stops the thread.
 */
public final class BasicAuthGate implements HttpGate {

    /** Paths served without credentials. */
    public static final Set<String> OPEN_PATHS = Set.of("/health/live", "/health/ready");
    static final String CHALLENGE = "Basic realm=\"strand\", charset=\"UTF-8\"";
    static final int CHECKER_THREADS = 1;
    static final int MAX_WAITING = 64;
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthGate.class);

    /** Whether a user's password is right. Thread-safe. */
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

        /** The verdict, however long it takes (salting a SCRAM password costs thousands of HMACs). */
        Verdict check(String user, String password);

        /** The verdict if it can be told from memory at once, else empty: {@link #check} must be asked. */
        default Optional<Verdict> checkAtOnce(String user, String password) {
            return Optional.empty();
        }
    }

    private final PasswordCheck passwords;
    private final ThreadPoolExecutor checker = new ThreadPoolExecutor(CHECKER_THREADS, CHECKER_THREADS, 30,
            TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_WAITING), new DefaultThreadFactory("strand-http-auth", true));

    public BasicAuthGate(PasswordCheck passwords) {
        this.passwords = passwords;
        checker.allowCoreThreadTimeOut(true);
    }

    @Override
    public CompletableFuture<Admission> admit(FullHttpRequest request, String path, InetAddress client) {
        if (OPEN_PATHS.contains(path)) {
            return CompletableFuture.completedFuture(Admission.admit(HttpCaller.anonymous(client)));
        }
        Optional<BasicCredentials> credentials = BasicCredentials.parse(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (credentials.isEmpty()) {
            return CompletableFuture.completedFuture(Admission.refuse(
                    unauthorized("HTTP 401 Unauthorized: this node needs HTTP Basic credentials")));
        }
        BasicCredentials given = credentials.get();
        Optional<PasswordCheck.Verdict> atOnce = passwords.checkAtOnce(given.user(), given.password());
        if (atOnce.isPresent()) {
            return CompletableFuture.completedFuture(admission(atOnce.get(), given.user(), client));
        }
        try {
            return CompletableFuture.supplyAsync(() -> admission(passwords.check(given.user(), given.password()),
                    given.user(), client), checker).exceptionally(failure -> Admission.refuse(HttpReply.error(500,
                    "HTTP 500 Internal Server Error: cannot check the password: " + failure)));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Admission.refuse(HttpReply.error(503,
                    "HTTP 503 Service Unavailable: too many passwords being checked; try again")));
        }
    }

    private static Admission admission(PasswordCheck.Verdict verdict, String user, InetAddress client) {
        return switch (verdict) {
            case VALID -> Admission.admit(new HttpCaller(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user), client));
            case UNAVAILABLE -> Admission.refuse(HttpReply.error(503,
                    "HTTP 503 Service Unavailable: the node is starting and cannot check passwords yet"));
            case INVALID -> {
                LOG.info("HTTP authentication failed for user {} from {}", user, client);
                yield Admission.refuse(unauthorized("HTTP 401 Unauthorized: authentication failed for user " + user));
            }
        };
    }

    private static HttpReply unauthorized(String message) {
        HttpReply error = HttpReply.error(401, message);
        return new HttpReply(401, error.contentType(), error.body(), Map.of("WWW-Authenticate", CHALLENGE));
    }

    /** Stops the checker thread; checks waiting are dropped (their connections are closing anyway). */
    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
