package io.strand.coordinator.txn;

/**
 * Levels of the {@code transaction.version} feature (KIP-890) and what each changes here. A
 * client's level comes with its request (EndTxn v5+ and AddPartitionsToTxn v4+ mean 2, older
 * versions 0); the cluster's finalized level decides the {@code __transaction_state} value
 * version written and how the coordinator aborts on its own (fencing, time-outs).
 */
public final class TransactionVersions {

    /** Transactions as before KIP-890. */
    public static final short TV_0 = 0;
    /** Flexible {@code __transaction_state} values (tagged fields). */
    public static final short TV_1 = 1;
    /** KIP-890 part 2: the epoch is bumped at the end of every transaction; partitions added implicitly. */
    public static final short TV_2 = 2;

    private TransactionVersions() {
    }

    /** True from level 2: EndTxn bumps the epoch (and may move to a new producer id). */
    public static boolean supportsEpochBump(short level) {
        return level >= TV_2;
    }

    /** The {@code TransactionLogValue} version written at this finalized level: 1 from level 1, else 0. */
    public static short logValueVersion(short level) {
        return level >= TV_1 ? (short) 1 : (short) 0;
    }

    /** The level a client's EndTxn request of {@code version} implies: 2 from v5, else 0. */
    public static short forEndTxnVersion(short version) {
        return version > 4 ? TV_2 : TV_0;
    }

    /** The level an AddPartitionsToTxn request of {@code version} implies: 2 from v4, else 0. */
    public static short forAddPartitionsVersion(short version) {
        return version > 3 ? TV_2 : TV_0;
    }
}
