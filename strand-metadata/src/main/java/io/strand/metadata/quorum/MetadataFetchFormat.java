package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a metadata fetch: an observer (a broker-only node) asks the metadata leader for the
 * committed log from an index on, and gets entries or, when the leader's log no longer holds that
 * index, the leader's whole image. The request travels as a leader request
 * ({@link LeaderRequestFormat}) with the api key {@link #API_KEY}, which is no Kafka API key (Kafka's
 * observers use Fetch on {@code __cluster_metadata}; this is Strand's own form of it), and the
 * answer as that request's OK body. Stateless.
 *
 * <p>Request data:
 * <pre>
 * | offset                   | size | field                                          |
 * |--------------------------|------|------------------------------------------------|
 * | OBSERVER_ID_OFFSET=0     | 4    | the observer's node id                         |
 * | FETCH_INDEX_OFFSET=4     | 8    | the first log index the observer does not have |
 * </pre>
 *
 * <p>Answer:
 * <pre>
 * | offset                   | size | field                                                      |
 * |--------------------------|------|------------------------------------------------------------|
 * | KIND_OFFSET=0            | 1    | KIND_ENTRIES or KIND_SNAPSHOT                              |
 * | LEADER_ID_OFFSET=1       | 4    | the answering leader's node id                             |
 * | COMMIT_INDEX_OFFSET=5    | 8    | the leader's last committed log index                      |
 * | NEXT_INDEX_OFFSET=13     | 8    | the index to fetch from next                               |
 * | COUNT_OFFSET=21          | 4    | entries: how many follow; snapshot: 1                      |
 * | ENTRIES_OFFSET=25        | ...  | each: int64 log index, int32 length N, N bytes of a        |
 * |                          |      | MetadataRecordSerde batch; a snapshot is one such entry    |
 * |                          |      | whose index is the image's applied offset and whose batch  |
 * |                          |      | holds the records that rebuild the whole image             |
 * </pre>
 * Only state machine entries travel; the configuration and other Ratis entries between them are
 * skipped, which is why the answer names the next index rather than the observer deriving it. For
 * example an answer of entries 7 and 9 with next index 11 means 8 and 10 held no metadata.
 */
final class MetadataFetchFormat {

    /** Not a Kafka API key, so it can never be a request the controller's dispatcher serves. */
    static final short API_KEY = -1;
    static final short VERSION = 0;

    static final int OBSERVER_ID_OFFSET = 0;
    static final int FETCH_INDEX_OFFSET = 4;
    static final int REQUEST_BYTES = 12;

    static final int KIND_OFFSET = 0;
    static final int LEADER_ID_OFFSET = 1;
    static final int COMMIT_INDEX_OFFSET = 5;
    static final int NEXT_INDEX_OFFSET = 13;
    static final int COUNT_OFFSET = 21;
    static final int ENTRIES_OFFSET = 25;
    static final int ENTRY_HEADER_BYTES = 12;

    static final byte KIND_ENTRIES = 0;
    static final byte KIND_SNAPSHOT = 1;

    private MetadataFetchFormat() {
    }

    record Request(int observerId, long fetchIndex) {
    }

    /** One committed batch: its log index and its serialized records. */
    record Entry(long index, byte[] batch) {
    }

    /** An answer as its fields; a snapshot answer has exactly one entry. */
    record Answer(boolean snapshot, int leaderId, long commitIndex, long nextIndex, List<Entry> entries) {
    }

    static ByteBuffer request(int observerId, long fetchIndex) {
        ByteBuffer data = ByteBuffer.allocate(REQUEST_BYTES);
        data.putInt(OBSERVER_ID_OFFSET, observerId);
        data.putLong(FETCH_INDEX_OFFSET, fetchIndex);
        return data;
    }

    static Request parseRequest(ByteBuffer data) {
        if (data.remaining() < REQUEST_BYTES) {
            throw new IllegalArgumentException("Metadata fetch too short: bytes=" + data.remaining());
        }
        int base = data.position();
        return new Request(data.getInt(base + OBSERVER_ID_OFFSET), data.getLong(base + FETCH_INDEX_OFFSET));
    }

    static ByteBuffer answer(Answer answer) {
        int size = ENTRIES_OFFSET;
        for (Entry entry : answer.entries()) {
            size += ENTRY_HEADER_BYTES + entry.batch().length;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.put(KIND_OFFSET, answer.snapshot() ? KIND_SNAPSHOT : KIND_ENTRIES);
        body.putInt(LEADER_ID_OFFSET, answer.leaderId());
        body.putLong(COMMIT_INDEX_OFFSET, answer.commitIndex());
        body.putLong(NEXT_INDEX_OFFSET, answer.nextIndex());
        body.putInt(COUNT_OFFSET, answer.entries().size());
        body.position(ENTRIES_OFFSET);
        for (Entry entry : answer.entries()) {
            body.putLong(entry.index());
            body.putInt(entry.batch().length);
            body.put(entry.batch());
        }
        body.flip();
        return body;
    }

    static Answer parseAnswer(ByteBuffer body) {
        int base = body.position();
        if (body.remaining() < ENTRIES_OFFSET) {
            throw new IllegalArgumentException("Metadata fetch answer too short: bytes=" + body.remaining());
        }
        boolean snapshot = body.get(base + KIND_OFFSET) == KIND_SNAPSHOT;
        int count = body.getInt(base + COUNT_OFFSET);
        List<Entry> entries = new ArrayList<>(count);
        int position = base + ENTRIES_OFFSET;
        for (int i = 0; i < count; i++) {
            long index = body.getLong(position);
            int length = body.getInt(position + Long.BYTES);
            byte[] batch = new byte[length];
            body.get(position + ENTRY_HEADER_BYTES, batch);
            entries.add(new Entry(index, batch));
            position += ENTRY_HEADER_BYTES + length;
        }
        if (snapshot && count != 1) {
            throw new IllegalArgumentException("A snapshot answer carries one image, not count=" + count);
        }
        return new Answer(snapshot, body.getInt(base + LEADER_ID_OFFSET), body.getLong(base + COMMIT_INDEX_OFFSET),
                body.getLong(base + NEXT_INDEX_OFFSET), entries);
    }
}
