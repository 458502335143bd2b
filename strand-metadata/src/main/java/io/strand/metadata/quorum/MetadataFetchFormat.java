package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a metadata fetch: an observer (a broker-only node) asks the metadata leader for the
 * committed log from an index on, and gets entries or, when the leader's log no longer holds that
 * index, the leader's whole image in chunks of bounded size. The request travels as a leader
 * request ({@link LeaderRequestFormat}) with the api key {@link #API_KEY}, which is no Kafka API key
 * (Kafka's observers use Fetch on {@code __cluster_metadata}; this is Strand's own form of it), and
 * the answer as that request's OK body. Stateless.
 *
 * <p>Request data (version 1; version 0 had only the first two fields and the image in one answer):
 * <pre>
 * | offset                    | size | field                                                     |
 * |---------------------------|------|-----------------------------------------------------------|
 * | OBSERVER_ID_OFFSET=0      | 4    | the observer's node id                                    |
 * | FETCH_INDEX_OFFSET=4      | 8    | the first log index the observer does not have            |
 * | IMAGE_OFFSET_OFFSET=12    | 8    | the applied offset of the image it is assembling, NO_IMAGE |
 * |                           |      | (-1) when it assembles none                               |
 * | IMAGE_POSITION_OFFSET=20  | 4    | how many bytes of that image it has (0 when none)         |
 * </pre>
 *
 * <p>Answer:
 * <pre>
 * | offset                   | size | field                                                      |
 * |--------------------------|------|------------------------------------------------------------|
 * | KIND_OFFSET=0            | 1    | KIND_ENTRIES or KIND_IMAGE_CHUNK                           |
 * | LEADER_ID_OFFSET=1       | 4    | the answering leader's node id                             |
 * | COMMIT_INDEX_OFFSET=5    | 8    | the leader's last committed log index                      |
 * | NEXT_INDEX_OFFSET=13     | 8    | the index to fetch from next (after an image: once it is   |
 * |                          |      | whole)                                                     |
 * | COUNT_OFFSET=21          | 4    | entries: how many follow; image chunk: 0                   |
 * | ENTRIES_OFFSET=25        | ...  | entries: each int64 log index, int32 length N, N bytes of  |
 * |                          |      | a MetadataRecordSerde batch                                |
 * </pre>
 * An image chunk instead carries, from {@code ENTRIES_OFFSET} on:
 * <pre>
 * | offset                         | size | field                                                 |
 * |--------------------------------|------|-------------------------------------------------------|
 * | IMAGE_APPLIED_OFFSET_OFFSET=25 | 8    | the image's applied offset                            |
 * | IMAGE_BYTES_OFFSET=33          | 4    | length of the whole image: one MetadataRecordSerde    |
 * |                                |      | batch of the records that rebuild it                  |
 * | CHUNK_POSITION_OFFSET=37       | 4    | where in those bytes this chunk starts                |
 * | CHUNK_LENGTH_OFFSET=41         | 4    | length N of this chunk                                |
 * | CHUNK_DATA_OFFSET=45           | N    | the chunk                                             |
 * </pre>
 * Only state machine entries travel; the configuration and other Ratis entries between them are
 * skipped, which is why the answer names the next index rather than the observer deriving it. For
 * example an answer of entries 7 and 9 with next index 11 means 8 and 10 held no metadata. An image
 * of 2.5 MiB in chunks of 1 MiB is three answers, at positions 0, 1 MiB and 2 MiB.
 */
final class MetadataFetchFormat {

    /** Not a Kafka API key, so it can never be a request the controller's dispatcher serves. */
    static final short API_KEY = -1;
    static final short VERSION = 1;

    static final int OBSERVER_ID_OFFSET = 0;
    static final int FETCH_INDEX_OFFSET = 4;
    static final int IMAGE_OFFSET_OFFSET = 12;
    static final int IMAGE_POSITION_OFFSET = 20;
    static final int REQUEST_BYTES = 24;
    /** The image offset of a request that assembles no image. */
    static final long NO_IMAGE = -1;

    static final int KIND_OFFSET = 0;
    static final int LEADER_ID_OFFSET = 1;
    static final int COMMIT_INDEX_OFFSET = 5;
    static final int NEXT_INDEX_OFFSET = 13;
    static final int COUNT_OFFSET = 21;
    static final int ENTRIES_OFFSET = 25;
    static final int ENTRY_HEADER_BYTES = 12;

    static final int IMAGE_APPLIED_OFFSET_OFFSET = 25;
    static final int IMAGE_BYTES_OFFSET = 33;
    static final int CHUNK_POSITION_OFFSET = 37;
    static final int CHUNK_LENGTH_OFFSET = 41;
    static final int CHUNK_DATA_OFFSET = 45;

    static final byte KIND_ENTRIES = 0;
    static final byte KIND_IMAGE_CHUNK = 1;

    private MetadataFetchFormat() {
    }

    /**
     * @param imageOffset   the applied offset of the image being assembled, {@link #NO_IMAGE} when none
     * @param imagePosition the bytes of it already received; the next chunk should start there
     */
    record Request(int observerId, long fetchIndex, long imageOffset, int imagePosition) {
    }

    /** One committed batch: its log index and its serialized records. */
    record Entry(long index, byte[] batch) {
    }

    /**
     * A piece of the leader's image: bytes {@code [position, position + data.length)} of the
     * {@code imageBytes} long batch of the image applied at {@code appliedOffset}.
     */
    record ImageChunk(long appliedOffset, int imageBytes, int position, byte[] data) {
        ImageChunk {
            if (imageBytes < 0 || position < 0 || (long) position + data.length > imageBytes) {
                throw new IllegalArgumentException("Image chunk outside its image: appliedOffset=" + appliedOffset
                        + " imageBytes=" + imageBytes + " position=" + position + " length=" + data.length);
            }
        }

        /** True when this chunk ends the image. */
        boolean last() {
            return position + data.length == imageBytes;
        }
    }

    /** An answer as its fields: committed entries, or (then {@code entries} is empty) a chunk of the image. */
    record Answer(int leaderId, long commitIndex, long nextIndex, List<Entry> entries, ImageChunk imageChunk) {
        static Answer entries(int leaderId, long commitIndex, long nextIndex, List<Entry> entries) {
            return new Answer(leaderId, commitIndex, nextIndex, entries, null);
        }

        boolean isImageChunk() {
            return imageChunk != null;
        }
    }

    static ByteBuffer request(int observerId, long fetchIndex, long imageOffset, int imagePosition) {
        ByteBuffer data = ByteBuffer.allocate(REQUEST_BYTES);
        data.putInt(OBSERVER_ID_OFFSET, observerId);
        data.putLong(FETCH_INDEX_OFFSET, fetchIndex);
        data.putLong(IMAGE_OFFSET_OFFSET, imageOffset);
        data.putInt(IMAGE_POSITION_OFFSET, imagePosition);
        return data;
    }

    /** A request that assembles no image. */
    static ByteBuffer request(int observerId, long fetchIndex) {
        return request(observerId, fetchIndex, NO_IMAGE, 0);
    }

    static Request parseRequest(ByteBuffer data) {
        if (data.remaining() < REQUEST_BYTES) {
            throw new IllegalArgumentException("Metadata fetch too short for version " + VERSION + ": bytes="
                    + data.remaining());
        }
        int base = data.position();
        return new Request(data.getInt(base + OBSERVER_ID_OFFSET), data.getLong(base + FETCH_INDEX_OFFSET),
                data.getLong(base + IMAGE_OFFSET_OFFSET), data.getInt(base + IMAGE_POSITION_OFFSET));
    }

    static ByteBuffer answer(Answer answer) {
        ImageChunk chunk = answer.imageChunk();
        if (chunk != null && !answer.entries().isEmpty()) {
            throw new IllegalArgumentException("An image chunk answer carries no entries: count="
                    + answer.entries().size());
        }
        int size = chunk != null ? CHUNK_DATA_OFFSET + chunk.data().length : ENTRIES_OFFSET;
        for (Entry entry : answer.entries()) {
            size += ENTRY_HEADER_BYTES + entry.batch().length;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.put(KIND_OFFSET, chunk != null ? KIND_IMAGE_CHUNK : KIND_ENTRIES);
        body.putInt(LEADER_ID_OFFSET, answer.leaderId());
        body.putLong(COMMIT_INDEX_OFFSET, answer.commitIndex());
        body.putLong(NEXT_INDEX_OFFSET, answer.nextIndex());
        body.putInt(COUNT_OFFSET, answer.entries().size());
        if (chunk != null) {
            body.putLong(IMAGE_APPLIED_OFFSET_OFFSET, chunk.appliedOffset());
            body.putInt(IMAGE_BYTES_OFFSET, chunk.imageBytes());
            body.putInt(CHUNK_POSITION_OFFSET, chunk.position());
            body.putInt(CHUNK_LENGTH_OFFSET, chunk.data().length);
            body.put(CHUNK_DATA_OFFSET, chunk.data());
            return body;
        }
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
        byte kind = body.get(base + KIND_OFFSET);
        int leaderId = body.getInt(base + LEADER_ID_OFFSET);
        long commitIndex = body.getLong(base + COMMIT_INDEX_OFFSET);
        long nextIndex = body.getLong(base + NEXT_INDEX_OFFSET);
        if (kind == KIND_IMAGE_CHUNK) {
            if (body.remaining() < CHUNK_DATA_OFFSET) {
                throw new IllegalArgumentException("Image chunk answer too short: bytes=" + body.remaining());
            }
            byte[] data = new byte[body.getInt(base + CHUNK_LENGTH_OFFSET)];
            body.get(base + CHUNK_DATA_OFFSET, data);
            ImageChunk chunk = new ImageChunk(body.getLong(base + IMAGE_APPLIED_OFFSET_OFFSET),
                    body.getInt(base + IMAGE_BYTES_OFFSET), body.getInt(base + CHUNK_POSITION_OFFSET), data);
            return new Answer(leaderId, commitIndex, nextIndex, List.of(), chunk);
        }
        if (kind != KIND_ENTRIES) {
            throw new IllegalArgumentException("Unknown metadata fetch answer kind=" + kind);
        }
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
        return Answer.entries(leaderId, commitIndex, nextIndex, entries);
    }
}
