package io.strand.it;

import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;

/**
 * A client's OAUTHBEARER login that hands the broker the token of its JAAS option {@code token} as it is,
 * unchecked, so that tests can present tokens a real login would refuse to send (expired, signed by another
 * key, for another audience) and see the broker refuse them. For the client's refresh schedule the token
 * is said to live an hour. Thread-safe (immutable after configure).
 */
public final class StaticTokenLoginCallbackHandler implements AuthenticateCallbackHandler {

    private volatile String token;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        token = String.valueOf(jaasConfigEntries.get(0).getOptions().get("token"));
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerTokenCallback tokenCallback) {
                long nowMs = System.currentTimeMillis();
                String value = token;
                tokenCallback.token(new OAuthBearerToken() {
                    @Override
                    public String value() {
                        return value;
                    }

                    @Override
                    public Set<String> scope() {
                        return Set.of();
                    }

                    @Override
                    public long lifetimeMs() {
                        return nowMs + 3_600_000L;
                    }

                    @Override
                    public String principalName() {
                        return "static-token";
                    }

                    @Override
                    public Long startTimeMs() {
                        return nowMs;
                    }
                });
            } else if (!(callback instanceof SaslExtensionsCallback)) {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void close() {
    }
}
