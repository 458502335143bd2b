package io.strand.broker.api.group;

import io.strand.broker.network.RequestContext;
import java.net.InetSocketAddress;

/** The client host groups report for a member, as Kafka spells it: "/" and the IP address. */
final class ClientHost {

    private ClientHost() {
    }

    static String of(RequestContext context) {
        if (context.clientAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return "/" + inet.getAddress().getHostAddress();
        }
        return String.valueOf(context.clientAddress());
    }
}
