package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Decides, before a request is routed, who is calling and whether they may reach its path at all: the
 * HTTP listener asks it once per request, on the event loop. It reads what it needs of the request
 * before returning and answers at once when it can (a completed future); work too slow for the event
 * loop (salting a SCRAM password) completes the future later on another thread, and the listener routes
 * the request then. Finer decisions (may this caller read that topic?) are the endpoints'.
 * Implementations are thread-safe; {@link #close} (when the listener closes) stops their threads.
 */
@FunctionalInterface
public interface HttpGate extends AutoCloseable {

    /** Every caller passes, as {@code User:ANONYMOUS}. */
    HttpGate OPEN = (request, path, client) -> CompletableFuture.completedFuture(
            Admission.admit(HttpCaller.anonymous(client)));

    /**
     * @param request the request (its headers; the body is not read); not to be read after returning
     * @param path    the request's path, without query
     * @param client  the client's address
     * @return the caller to serve, or the reply that refuses the request; never failed
     */
    CompletableFuture<Admission> admit(FullHttpRequest request, String path, InetAddress client);

    /** Stops what the gate runs; by default nothing. */
    @Override
    default void close() {
    }

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
