package io.strand.server.http;

/**
 * A Server-Sent Events answer (text/event-stream): once the listener has written the 200 and its
 * headers, it calls {@link #start} with the connection's {@link EventSink}; the stream then sends
 * events from its own thread for as long as it likes and ends by closing the sink, or is told the
 * client went away through {@link EventSink#isOpen()} and the sink's close callback.
 */
@FunctionalInterface
public interface EventStream {

    /** Called once, on the HTTP event loop: must hand the work to another thread and return at once. */
    void start(EventSink sink);

    /** Where a stream writes; thread-safe. */
    interface EventSink {
        /** Sends one event ({@code event:} line when {@code event} is non-empty, {@code id:} when non-empty, {@code data:} lines). */
        void send(String event, String id, String data);

        /** Sends a comment line, e.g. a keep-alive. */
        void comment(String text);

        /** False once the client closed the connection or {@link #close} was called. */
        boolean isOpen();

        /** False while the connection's outbound buffer is over its high-water mark: the stream should wait. */
        boolean isWritable();

        /** Runs {@code action} once, when the connection closes (at once if closed already). */
        void onClose(Runnable action);

        /** Ends the stream and closes the connection. Idempotent. */
        void close();
    }
}
