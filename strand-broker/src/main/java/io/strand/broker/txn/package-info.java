/**
 * The broker's side of transactions: what the produce path, the WriteTxnMarkers handler and the
 * transaction and group coordinators need from one another.
 */
package io.strand.broker.txn;
