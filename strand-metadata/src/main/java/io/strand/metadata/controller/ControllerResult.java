package io.strand.metadata.controller;

import io.strand.metadata.record.MetadataRecord;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * What a controller operation computed from an image: the records to append (all or none) and
 * the response to give once they are applied. Computing one never changes the image.
 * {@code onAppended}, when not null, gets the log index of the records once they are applied, on
 * the controller thread, before the response is given (the controller's in-memory session state
 * learns offsets through it).
 */
record ControllerResult<T>(List<MetadataRecord> records, T response, LongConsumer onAppended) {
    ControllerResult {
        records = List.copyOf(records);
    }

    ControllerResult(List<MetadataRecord> records, T response) {
        this(records, response, null);
    }

    static <T> ControllerResult<T> of(T response) {
        return new ControllerResult<>(List.of(), response);
    }
}
