package io.strand.broker.quota;

import io.strand.broker.network.IpConnectionRates;
import io.strand.metadata.image.ClientQuotasImage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code connection_creation_rate} quotas of the metadata image's {@code ip} entities, as Kafka's
 * connection quotas apply them: an address's own entity first, else the default ip entity, else
 * {@link IpConnectionRates#UNLIMITED}. An entity named by host is resolved (as Kafka resolves it) once per
 * change of the image's client quotas, by the first connection after the change; one that no longer
 * resolves is skipped with a warning.
 *
 * <p>Thread-safe: the resolved quotas are an immutable snapshot swapped when the image's client quotas
 * change; two threads seeing the change at once both build the same snapshot.
 */
public final class IpConnectionRateQuotas implements IpConnectionRates {

    private static final Logger LOG = LoggerFactory.getLogger(IpConnectionRateQuotas.class);
    static final String IP = "ip";
    static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    private record Snapshot(ClientQuotasImage image, Map<InetAddress, Integer> byAddress, int defaultRate) {
    }

    private final Supplier<ClientQuotasImage> quotas;
    private volatile Snapshot snapshot = new Snapshot(ClientQuotasImage.EMPTY, Map.of(), UNLIMITED);

    /** @param quotas the current client quotas (the metadata image's); read on every connection, so cheap */
    public IpConnectionRateQuotas(Supplier<ClientQuotasImage> quotas) {
        this.quotas = quotas;
    }

    @Override
    public int ratePerSecond(InetAddress address) {
        Snapshot current = snapshot;
        ClientQuotasImage image = quotas.get();
        if (image != current.image()) {
            current = resolve(image);
            snapshot = current;
        }
        return current.byAddress().getOrDefault(address, current.defaultRate());
    }

    private static Snapshot resolve(ClientQuotasImage image) {
        Map<InetAddress, Integer> byAddress = new HashMap<>();
        int defaultRate = UNLIMITED;
        for (Map.Entry<Map<String, String>, Map<String, Double>> entry : image.entities().entrySet()) {
            Map<String, String> entity = entry.getKey();
            Double rate = entry.getValue().get(CONNECTION_CREATION_RATE);
            if (rate == null || entity.size() != 1 || !entity.containsKey(IP)) {
                continue;
            }
            int perSecond = (int) Math.min(rate, UNLIMITED);
            String name = entity.get(IP);
            if (name == null) {
                defaultRate = perSecond;
                continue;
            }
            try {
                byAddress.put(InetAddress.getByName(name), perSecond);
            } catch (UnknownHostException e) {
                LOG.warn("The connection_creation_rate quota of ip {} is not applied: the name does not resolve", name);
            }
        }
        return new Snapshot(image, Map.copyOf(byAddress), defaultRate);
    }
}
