package io.strand.storage.record;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;

/**
 * A batch refused because of what some of its well-formed records hold, with one error per such
 * record (KIP-467): the Produce response carries them as {@code record_errors} (the record's index in
 * the batch and a message) beside the partition's error code and {@code error_message}.
 *
 * <p>As in Kafka's {@code LogValidator}, only two rules give per-record errors: a record without key in
 * a compacted topic, and a CreateTime timestamp outside {@code message.timestamp.before/after.max.ms}.
 * If any record's timestamp is out of range the batch fails with {@link InvalidTimestamps}
 * ({@code INVALID_TIMESTAMP}), else with {@link InvalidRecords} ({@code INVALID_RECORD}). A record that
 * cannot be read at all fails the batch at once with a plain {@code InvalidRecordException} and no
 * per-record errors, as in Kafka.
 *
 * <p>Both are subclasses of the kafka-clients exception of their error code, so
 * {@code Errors.forException} and every {@code catch (ApiException e)} see the right code.
 */
public sealed interface RecordErrors permits RecordErrors.InvalidRecords, RecordErrors.InvalidTimestamps {

    /** How many of the errors the exception message quotes. */
    int ERRORS_IN_MESSAGE = 3;

    /** One entry per refused record, in batch order. */
    List<RecordError> recordErrors();

    /** The exception for {@code errors}: timestamp errors win, as in Kafka. */
    static ApiException of(List<RecordError> errors, boolean anyTimestampError, String partition) {
        if (anyTimestampError) {
            return new InvalidTimestamps("Records have been rejected for their timestamps: partition=" + partition
                    + " recordErrors=" + errors.size(), errors);
        }
        return new InvalidRecords("Records have been rejected: partition=" + partition + " recordErrors="
                + errors.size() + " first=" + errors.subList(0, Math.min(errors.size(), ERRORS_IN_MESSAGE)), errors);
    }

    /** {@code INVALID_RECORD} with per-record errors. */
    final class InvalidRecords extends InvalidRecordException implements RecordErrors {
        private static final long serialVersionUID = 1L;
        private final transient List<RecordError> recordErrors;

        InvalidRecords(String message, List<RecordError> recordErrors) {
            super(message);
            this.recordErrors = List.copyOf(recordErrors);
        }

        @Override
        public List<RecordError> recordErrors() {
            return recordErrors;
        }
    }

    /** {@code INVALID_TIMESTAMP} with per-record errors. */
    final class InvalidTimestamps extends InvalidTimestampException implements RecordErrors {
        private static final long serialVersionUID = 1L;
        private final transient List<RecordError> recordErrors;

        InvalidTimestamps(String message, List<RecordError> recordErrors) {
            super(message);
            this.recordErrors = List.copyOf(recordErrors);
        }

        @Override
        public List<RecordError> recordErrors() {
            return recordErrors;
        }
    }
}
