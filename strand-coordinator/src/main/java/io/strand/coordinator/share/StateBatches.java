package io.strand.coordinator.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Combines a share-partition's persisted state batches with newer ones, as the share coordinator does
 * for every write: a newer batch wins over the offsets it covers, offsets below the start offset are
 * dropped, and neighbouring batches of the same state and delivery count are merged. The result is
 * sorted and its batches do not overlap.
 */
public final class StateBatches {

    private StateBatches() {
    }

    /**
     * @param current     the batches so far (sorted, not overlapping)
     * @param newer       the batches written after them, applied in order (they may overlap each other)
     * @param startOffset the share-partition's start offset; -1 keeps every offset
     */
    public static List<StateBatch> combine(List<StateBatch> current, List<StateBatch> newer, long startOffset) {
        TreeMap<Long, StateBatch> byFirst = new TreeMap<>();
        for (StateBatch batch : current) {
            overlay(byFirst, batch);
        }
        for (StateBatch batch : newer) {
            overlay(byFirst, batch);
        }
        List<StateBatch> result = new ArrayList<>();
        for (StateBatch batch : byFirst.values()) {
            if (startOffset >= 0 && batch.lastOffset() < startOffset) {
                continue;
            }
            if (startOffset >= 0 && batch.firstOffset() < startOffset) {
                batch = batch.withFirstOffset(startOffset);
            }
            StateBatch last = result.isEmpty() ? null : result.get(result.size() - 1);
            if (last != null && last.lastOffset() + 1 == batch.firstOffset() && last.sameStateAs(batch)) {
                result.set(result.size() - 1, last.withLastOffset(batch.lastOffset()));
            } else {
                result.add(batch);
            }
        }
        return List.copyOf(result);
    }

    /** Puts {@code batch} into {@code byFirst}, cutting what it covers out of the batches there. */
    private static void overlay(TreeMap<Long, StateBatch> byFirst, StateBatch batch) {
        Map.Entry<Long, StateBatch> before = byFirst.lowerEntry(batch.firstOffset());
        if (before != null && before.getValue().lastOffset() >= batch.firstOffset()) {
            StateBatch cut = before.getValue();
            byFirst.put(cut.firstOffset(), cut.withLastOffset(batch.firstOffset() - 1));
            if (cut.lastOffset() > batch.lastOffset()) {
                byFirst.put(batch.lastOffset() + 1, cut.withFirstOffset(batch.lastOffset() + 1));
            }
        }
        Iterator<StateBatch> covered = byFirst.subMap(batch.firstOffset(), true, batch.lastOffset(), true)
                .values().iterator();
        StateBatch tail = null;
        while (covered.hasNext()) {
            StateBatch cut = covered.next();
            covered.remove();
            if (cut.lastOffset() > batch.lastOffset()) {
                tail = cut.withFirstOffset(batch.lastOffset() + 1);
            }
        }
        if (tail != null) {
            byFirst.put(tail.firstOffset(), tail);
        }
        byFirst.put(batch.firstOffset(), batch);
    }
}
