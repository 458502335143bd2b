package io.strand.broker.quota;

import io.strand.metadata.image.ClientQuotasImage;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's client quota managers, one per {@link QuotaType}, all reading the same quotas (the
 * metadata image's) and measuring over the same {@link QuotaWindows}. Built once at start-up;
 * thread-safe.
 */
public final class ClientQuotas {

    private final Map<QuotaType, ClientQuotaManager> managers = new EnumMap<>(QuotaType.class);

    public ClientQuotas(QuotaWindows windows, Supplier<ClientQuotasImage> quotas, Time time) {
        for (QuotaType type : QuotaType.values()) {
            managers.put(type, new ClientQuotaManager(type, windows, quotas, time));
        }
    }

    /** Managers that never throttle. */
    public static ClientQuotas disabled() {
        return new ClientQuotas(QuotaWindows.DEFAULT, () -> ClientQuotasImage.EMPTY, Time.SYSTEM);
    }

    public ClientQuotaManager produce() {
        return managers.get(QuotaType.PRODUCE);
    }

    public ClientQuotaManager fetch() {
        return managers.get(QuotaType.FETCH);
    }

    public ClientQuotaManager request() {
        return managers.get(QuotaType.REQUEST);
    }

    public ClientQuotaManager controllerMutation() {
        return managers.get(QuotaType.CONTROLLER_MUTATION);
    }
}
