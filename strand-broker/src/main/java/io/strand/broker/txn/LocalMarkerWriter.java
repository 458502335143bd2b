package io.strand.broker.txn;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;

/**
 * Writes the markers of a WriteTxnMarkers request to this broker's own partitions in-process, through
 * the code the WriteTxnMarkers handler serves the request with, so that a coordinator's markers for
 * partitions led here skip the network, the request's encoding and the request pool. Thread-safe;
 * appends on the calling thread and does not wait for replication there.
 */
@FunctionalInterface
public interface LocalMarkerWriter {

    /** The WriteTxnMarkers version whose fields the request carries (v2: with the transaction version). */
    short VERSION = 2;

    /**
     * Completes with the answer the handler would send for {@code request} (never exceptionally for a
     * partition's failure: that is the partition's error code).
     *
     * @param timer runs the replication time-out of markers that wait for followers
     */
    CompletableFuture<WriteTxnMarkersResponseData> write(WriteTxnMarkersRequestData request,
                                                         ScheduledExecutorService timer);
}
