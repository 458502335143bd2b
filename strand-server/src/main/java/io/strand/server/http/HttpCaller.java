package io.strand.server.http;

import java.net.InetAddress;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Who sent an HTTP request, as the {@link HttpGate} established it: the principal ({@code User:<name>}
 * after HTTP Basic, {@link KafkaPrincipal#ANONYMOUS} without authentication) and the client's address,
 * which ACLs match as the host. Immutable.
 *
 * @param principal the caller's principal
 * @param address   the client's address; null when unknown (a request made in a test)
 */
public record HttpCaller(KafkaPrincipal principal, InetAddress address) {

    /** An unauthenticated caller from {@code address}. */
    public static HttpCaller anonymous(InetAddress address) {
        return new HttpCaller(KafkaPrincipal.ANONYMOUS, address);
    }
}
