package io.strand.coordinator.group.record;

/**
 * Where a consumer-protocol member stands in reconciling its current assignment with its target.
 *
 * <p>Transitions (computed by {@link Reconciler}):
 * <pre>
 * STABLE                 -> UNREVOKED_PARTITIONS   the target takes partitions the member owns
 * STABLE                 -> UNRELEASED_PARTITIONS  the target gives partitions another member still owns
 * UNREVOKED_PARTITIONS   -> STABLE | UNRELEASED_PARTITIONS  the member acknowledged the revocation
 * UNRELEASED_PARTITIONS  -> STABLE                 the other owners released them
 * any                    -> UNREVOKED_PARTITIONS   a newer target revokes again
 * </pre>
 */
public enum MemberState {
    /** The member owns exactly its target assignment at the target epoch. */
    STABLE((byte) 0),
    /** The member must revoke partitions before it may move to the target epoch. */
    UNREVOKED_PARTITIONS((byte) 1),
    /** The member is at the target epoch but waits for partitions other members still own. */
    UNRELEASED_PARTITIONS((byte) 2);

    private final byte id;

    MemberState(byte id) {
        this.id = id;
    }

    /** The stored form, see {@link CoordinatorRecordSerde}. */
    public byte id() {
        return id;
    }

    public static MemberState fromId(byte id) {
        for (MemberState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        throw new CoordinatorRecordFormatException("Unknown member state: id=" + id);
    }
}
