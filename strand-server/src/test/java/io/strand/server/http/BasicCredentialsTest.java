package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsUserAndPasswordOfABasicHeader() {
        assertThat(BasicCredentials.parse(basic("alice:alice-secret")))
                .contains(new BasicCredentials("alice", "alice-secret"));
    }

    @Test
    void thePasswordMayHoldColonsAndBeEmptyAndTheSchemeAnyCase() {
        assertThat(BasicCredentials.parse(basic("bob:a:b:c"))).contains(new BasicCredentials("bob", "a:b:c"));
        assertThat(BasicCredentials.parse(basic("bob:"))).contains(new BasicCredentials("bob", ""));
        assertThat(BasicCredentials.parse("bAsIc   " + basic("bob:pw").substring(6)))
                .contains(new BasicCredentials("bob", "pw"));
        assertThat(BasicCredentials.parse(basic("jürgen:pässword"))).contains(new BasicCredentials("jürgen", "pässword"));
    }

    @Test
    void anythingElseIsNoCredentials() {
        assertThat(BasicCredentials.parse(null)).isEmpty();
        assertThat(BasicCredentials.parse("")).isEmpty();
        assertThat(BasicCredentials.parse("Bearer abc.def.ghi")).isEmpty();
        assertThat(BasicCredentials.parse("Basic")).isEmpty();
        assertThat(BasicCredentials.parse("Basic !!!not-base64")).isEmpty();
        assertThat(BasicCredentials.parse(basic("no-colon"))).isEmpty();
        assertThat(BasicCredentials.parse(basic(":password-without-user"))).isEmpty();
    }

    @Test
    void neverShowsThePassword() {
        assertThat(new BasicCredentials("alice", "alice-secret").toString()).contains("alice").doesNotContain("secret");
    }
}
