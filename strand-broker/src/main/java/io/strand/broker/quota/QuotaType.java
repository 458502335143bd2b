package io.strand.broker.quota;

/** The client quotas a broker enforces, each with the key AlterClientQuotas sets it under. */
public enum QuotaType {
    /** Bytes per second a producer may send (Produce). */
    PRODUCE("producer_byte_rate"),
    /** Bytes per second a consumer may fetch (Fetch from a consumer). */
    FETCH("consumer_byte_rate"),
    /** Percentage of one request thread's time a client may use, per second. */
    REQUEST("request_percentage"),
    /** Partitions a client may create or delete per second (KIP-599). */
    CONTROLLER_MUTATION("controller_mutation_rate");

    private final String key;

    QuotaType(String key) {
        this.key = key;
    }

    /** The quota key of AlterClientQuotas and {@code kafka-configs}. */
    public String key() {
        return key;
    }
}
