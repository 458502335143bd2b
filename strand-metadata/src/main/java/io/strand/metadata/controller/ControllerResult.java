package io.strand.metadata.controller;

import io.strand.metadata.record.MetadataRecord;
import java.util.List;

/**
 * What a controller operation computed from an image: the records to append (all or none) and
 * the response to give once they are applied. Computing one never changes any state.
 */
record ControllerResult<T>(List<MetadataRecord> records, T response) {
    ControllerResult {
        records = List.copyOf(records);
    }

    static <T> ControllerResult<T> of(T response) {
        return new ControllerResult<>(List.of(), response);
    }
}
