package io.strand.server.http;

/**
 * A request that is answered with a JSON error ({@link HttpReply#error}) of this status: thrown by an
 * endpoint, or the failure of an asynchronous endpoint's future. The message is the client's to read.
 */
public final class HttpException extends RuntimeException {

    private final int status;

    public HttpException(int status, String message) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("not an error status: status=" + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }

    public HttpReply reply() {
        return HttpReply.error(status, getMessage());
    }
}
