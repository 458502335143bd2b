package io.strand.broker;

/**
 * A part of a node that is started and closed as one: the shared part, the controller, the broker.
 * A {@link NodeLifecycle} starts the components of a node in dependency order and closes them in
 * reverse.
 *
 * <p>Contract: {@link #start} is called once. {@link #close} is called once after {@link #start}
 * returned <em>or threw</em>, so it must release whatever a start that stopped part way had already
 * taken (threads, ports, file locks) and skip what it never got to; it must not block for long.
 */
interface NodeComponent extends AutoCloseable {

    /** For logs and error messages: "shared", "controller", "broker". */
    String name();

    void start() throws Exception;

    @Override
    void close() throws Exception;
}
