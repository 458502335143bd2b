package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetAddress;

/**
 * Decides, before a request is routed, who is calling and whether they may reach its path at all: the
 * HTTP listener asks it once per request, on the event loop, so it must answer from memory at once.
 * Finer decisions (may this caller read that topic?) are the endpoints'. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface HttpGate {

    /** Every caller passes, as {@code User:ANONYMOUS}. */
    HttpGate OPEN = (request, path, client) -> Admission.admit(HttpCaller.anonymous(client));

    /**
     * @param request the request (its headers; the body is not read)
     * @param path    the request's path, without query
     * @param client  the client's address
     * @return the caller to serve, or the reply that refuses the request
     */
    Admission admit(FullHttpRequest request, String path, InetAddress client);

    /** A gate's answer: exactly one of a caller to serve and a refusal. */
    record Admission(HttpCaller caller, HttpReply refusal) {

        public Admission {
            if ((caller == null) == (refusal == null)) {
                throw new IllegalArgumentException("an admission has a caller or a refusal: caller=" + caller
                        + " refusal=" + refusal);
            }
        }

        public static Admission admit(HttpCaller caller) {
            return new Admission(caller, null);
        }

        public static Admission refuse(HttpReply refusal) {
            return new Admission(null, refusal);
        }
    }
}
