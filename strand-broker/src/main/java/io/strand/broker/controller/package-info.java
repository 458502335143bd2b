/**
 * The broker's side of broker→controller traffic, as Kafka carries it over the controller
 * listener: the {@link io.strand.broker.controller.ControllerChannel} to the active controller
 * (over the metadata quorum's leader requests, {@link io.strand.broker.controller.QuorumControllerChannel}),
 * the {@link io.strand.broker.controller.ControllerRequestDispatcher} that serves it on the
 * controller, and the {@link io.strand.broker.controller.BrokerLifecycleManager} (registration,
 * heartbeats, controlled shutdown). Depends on the metadata module's quorum and controller, never
 * on the API handlers.
 */
package io.strand.broker.controller;
