package io.strand.bench;

/** The two brokers compared; the order of the constants is the order of the table's columns. */
enum BrokerKind {
    /** Apache Kafka 4.3.1 from the Maven Central jars. */
    KAFKA("Kafka", "kafka"),
    /** This project's broker, as {@code ./strand} runs it. */
    STRAND("Strand", "strand");

    private final String label;
    private final String key;

    BrokerKind(String label, String key) {
        this.label = label;
        this.key = key;
    }

    /** The column heading. */
    String label() {
        return label;
    }

    /** The JSON field and file-name part. */
    String key() {
        return key;
    }
}
