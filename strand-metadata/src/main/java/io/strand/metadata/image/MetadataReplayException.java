package io.strand.metadata.image;

/**
 * A record that parses but cannot be applied to the image it follows: a partition of an unknown
 * topic, a second topic with an existing name, a producer id counter going backwards. The whole
 * batch holding it is then rejected on every node alike. The message has {@code key=value} context.
 */
public final class MetadataReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataReplayException(String message) {
        super(message);
    }
}
