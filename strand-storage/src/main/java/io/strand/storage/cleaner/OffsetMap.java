package io.strand.storage.cleaner;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's bounded map from a record key to the latest offset seen for it, in a fixed block of
 * memory ({@code log.cleaner.dedupe.buffer.size}). Keys are not stored, only their 16-byte MD5 hash, as
 * Kafka does: two keys with the same hash would count as one (odds about 2^-128 per pair).
 *
 * <p>Open addressing with linear probing over fixed-size slots; the map reports itself full at
 * {@link #LOAD_FACTOR} of its slots so probes stay short.
 *
 * <pre>
 * slot (24 bytes)
 * offset  size  field
 * 0       16    MD5 of the key
 * 16      8     offset + 1   (0 marks an empty slot, so clearing is zero-filling)
 * </pre>
 *
 * <p><b>Threads.</b> Not thread-safe: one cleaner thread owns it. Nothing of it survives a crash.
 */
final class OffsetMap {

    static final int HASH_BYTES = 16;
    static final int OFFSET_FIELD = HASH_BYTES;
    static final int SLOT_BYTES = HASH_BYTES + Long.BYTES;
    static final double LOAD_FACTOR = 0.9;

    private final byte[] slots;
    private final ByteBuffer view;
    private final int slotCount;
    private final int maxEntries;
    private final MessageDigest md5;
    private final byte[] hash = new byte[HASH_BYTES];
    private int size;
    private long latestOffset = -1L;

    OffsetMap(long memoryBytes) {
        long usable = Math.min(memoryBytes, Integer.MAX_VALUE - 64L);
        this.slotCount = (int) (usable / SLOT_BYTES);
        if (slotCount < 2) {
            throw new IllegalArgumentException("Offset map too small: memoryBytes=" + memoryBytes);
        }
        this.slots = new byte[slotCount * SLOT_BYTES];
        this.view = ByteBuffer.wrap(slots);
        this.maxEntries = Math.max(1, (int) (slotCount * LOAD_FACTOR));
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /** How many distinct keys fit before the map counts as full. */
    int maxEntries() {
        return maxEntries;
    }

    int size() {
        return size;
    }

    /** The largest offset the map has been told covers its content, -1 if none. */
    long latestOffset() {
        return latestOffset;
    }

    void updateLatestOffset(long offset) {
        latestOffset = offset;
    }

    void clear() {
        Arrays.fill(slots, (byte) 0);
        size = 0;
        latestOffset = -1L;
    }

    /** Records {@code offset} as the latest for {@code key}; the caller keeps {@link #size()} below {@link #maxEntries()}. */
    void put(ByteBuffer key, long offset) {
        int slot = find(key);
        int base = slot * SLOT_BYTES;
        if (view.getLong(base + OFFSET_FIELD) == 0L) {
            if (size >= maxEntries) {
                throw new IllegalStateException("Offset map is full: maxEntries=" + maxEntries);
            }
            System.arraycopy(hash, 0, slots, base, HASH_BYTES);
            size++;
        }
        view.putLong(base + OFFSET_FIELD, offset + 1);
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        return view.getLong(find(key) * SLOT_BYTES + OFFSET_FIELD) - 1;
    }

    /** The slot holding the key's hash, or the empty slot where it would go; leaves the hash in {@link #hash}. */
    private int find(ByteBuffer key) {
        md5.update(key.duplicate());
        try {
            md5.digest(hash, 0, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        int h = ((hash[0] & 0xff) << 24) | ((hash[1] & 0xff) << 16) | ((hash[2] & 0xff) << 8) | (hash[3] & 0xff);
        int slot = Math.floorMod(h, slotCount);
        while (true) {
            int base = slot * SLOT_BYTES;
            if (view.getLong(base + OFFSET_FIELD) == 0L || Arrays.equals(slots, base, base + HASH_BYTES, hash, 0,
                    HASH_BYTES)) {
                return slot;
            }
            slot = slot + 1 == slotCount ? 0 : slot + 1;
        }
    }
}
