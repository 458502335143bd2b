package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strand.server.http.BasicAuthGate.PasswordCheck.Verdict;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP Basic at the listener's gate; alice's password is {@code right}, carol's cannot be checked yet. */
class BasicAuthGateTest {

    private final InetAddress client = InetAddress.getLoopbackAddress();
    private final BasicAuthGate gate = new BasicAuthGate((user, password) -> user.equals("carol") ? Verdict.UNAVAILABLE
            : user.equals("alice") && password.equals("right") ? Verdict.VALID : Verdict.INVALID);

    private static FullHttpRequest get(String uri, String authorization) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (authorization != null) {
            request.headers().set("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(authorization.getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private HttpGate.Admission admit(String path, String authorization) {
        FullHttpRequest request = get(path, authorization);
        try {
            return gate.admit(request, path, client).join();
        } finally {
            request.release();
        }
    }

    @AfterEach
    void close() {
        gate.close();
    }

    @Test
    void rightCredentialsMakeTheCallerTheirUser() {
        HttpGate.Admission admission = admit("/v3/clusters", "alice:right");
        assertThat(admission.refusal()).isNull();
        assertThat(admission.caller()).isEqualTo(new HttpCaller(new KafkaPrincipal("User", "alice"), client));
    }

    @Test
    void missingOrWrongCredentialsAre401WithTheBasicChallenge() {
        for (String credentials : new String[] {null, "alice:wrong", "mallory:right"}) {
            HttpReply refusal = admit("/metrics", credentials).refusal();
            assertThat(refusal.status()).as(credentials).isEqualTo(401);
            assertThat(refusal.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"strand\", charset=\"UTF-8\"");
            assertThat(new String(refusal.body(), StandardCharsets.UTF_8)).contains("\"error_code\":401");
        }
    }

    @Test
    void healthProbesNeedNoCredentialsButEverythingElseDoes() {
        assertThat(admit("/health/live", null).caller().principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        assertThat(admit("/health/ready", null).caller().principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        for (String path : new String[] {"/", "/ui", "/ui/js/app.js", "/metrics", "/v3/openapi.yaml",
                "/health/ready/../../metrics", "/health"}) {
            assertThat(admit(path, null).refusal()).as(path).isNotNull();
        }
    }

    @Test
    void aCheckThatCanBeAnsweredAtOnceIsAnsweredOnTheCallersThreadAndOthersOnTheCheckersThread() {
        BasicAuthGate.PasswordCheck check = new BasicAuthGate.PasswordCheck() {
            @Override
            public Verdict check(String user, String password) {
                return Thread.currentThread().getName().startsWith("strand-http-auth") ? Verdict.VALID : Verdict.INVALID;
            }

            @Override
            public Optional<Verdict> checkAtOnce(String user, String password) {
                return user.equals("plain") ? Optional.of(Verdict.VALID) : Optional.empty();
            }
        };
        try (BasicAuthGate twoSpeed = new BasicAuthGate(check)) {
            FullHttpRequest plain = get("/ui", "plain:pw");
            FullHttpRequest scram = get("/ui", "scram:pw");
            try {
                assertThat(twoSpeed.admit(plain, "/ui", client)).isCompleted();
                assertThat(twoSpeed.admit(scram, "/ui", client).join().caller().principal().getName()).isEqualTo("scram");
            } finally {
                plain.release();
                scram.release();
            }
        }
    }

    @Test
    void aPasswordThatCannotBeCheckedYetIs503() {
        assertThat(admit("/ui", "carol:anything").refusal().status()).isEqualTo(503);
    }
}
