package io.strand.common;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Ids of log directories (KIP-858) and the reserved values a replica's directory may take instead of
 * a real directory's id, as Kafka's {@code DirectoryId}. The first 100 ids (most significant half 0,
 * least significant half below 100) are reserved; a directory's own id is never one of them.
 *
 * <ul>
 *   <li>{@link #UNASSIGNED}: the replica's directory is not known yet (the broker has not said where it
 *       placed the log);</li>
 *   <li>{@link #LOST}: the replica was in a directory its broker no longer has;</li>
 *   <li>{@link #MIGRATING}: the replica's directory is not known because its metadata predates
 *       directory ids.</li>
 * </ul>
 * Stateless.
 */
public final class DirectoryId {

    public static final Uuid UNASSIGNED = new Uuid(0L, 0L);
    public static final Uuid LOST = new Uuid(0L, 1L);
    public static final Uuid MIGRATING = new Uuid(0L, 2L);

    private static final long RESERVED_BELOW = 100L;

    private DirectoryId() {
    }

    /** A random id that is none of the reserved ones. */
    public static Uuid random() {
        Uuid id = Uuid.randomUuid();
        while (reserved(id)) {
            id = Uuid.randomUuid();
        }
        return id;
    }

    /** Whether {@code id} is one of the 100 reserved ids. */
    public static boolean reserved(Uuid id) {
        return id.getMostSignificantBits() == 0L && id.getLeastSignificantBits() >= 0L
                && id.getLeastSignificantBits() < RESERVED_BELOW;
    }

    /** {@code n} times {@link #UNASSIGNED}. */
    public static List<Uuid> unassigned(int n) {
        return Collections.nCopies(n, UNASSIGNED);
    }

    /** Whether {@code directory} names one of {@code onlineDirs}: not reserved and listed. */
    public static boolean isOnline(Uuid directory, Collection<Uuid> onlineDirs) {
        return !reserved(directory) && onlineDirs.contains(directory);
    }
}
