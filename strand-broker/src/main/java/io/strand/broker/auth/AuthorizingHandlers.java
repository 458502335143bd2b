package io.strand.broker.auth;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestContext;
import io.strand.broker.network.WrappingApiHandler;
import io.strand.metadata.image.MetadataImage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Puts each API's authorization checks in front of its handler, as Kafka's KafkaApis checks before
 * it acts: a check either refuses the whole request (throws the API's authorization exception,
 * which becomes the API's error response), or hands the handler the part the caller may touch and
 * adds the refused entries to the response, or corrects the handler's response (hides what the
 * caller may not describe, fills authorized-operations fields).
 *
 * <p>With no authorizer configured the data path is not wrapped: produce and fetch are served exactly
 * as without this class. Checks are stateless; they run on the
 * thread the handler would have run on and never block.
 */
public final class AuthorizingHandlers {

    /** A check around one API's handler. */
    @FunctionalInterface
    interface Check<R extends AbstractRequest> {
        CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request, ApiHandler<R> handler);
    }

    private AuthorizingHandlers() {
    }

    /**
     * A registry serving {@code registry}'s handlers, each behind its API's checks. When {@code auth} is
     * not {@link Authorization#enabled()} only DescribeGroups, ConsumerGroupDescribe and ShareGroupDescribe are wrapped, to
     * fill their authorized operations with everything a group supports, as Kafka does without an
     * authorizer; every other handler is served as it is. The request time quota and the metrics of
     * {@code registry} are the new registry's too.
     *
     * @param image the metadata image the handlers answer from (topic ids and names, existence)
     */
    public static ApiRegistry wrap(ApiRegistry registry, Authorization auth, Supplier<MetadataImage> image,
                                   boolean autoCreateTopicsEnable) {
        Map<ApiKeys, Check<?>> checks = new EnumMap<>(ApiKeys.class);
        if (auth.enabled()) {
            ClusterChecks.addTo(checks, auth);
            TopicChecks.addTo(checks, auth, image);
            TopicAdminChecks.addTo(checks, auth, image);
            MetadataChecks.addTo(checks, auth, image, autoCreateTopicsEnable);
            GroupChecks.addTo(checks, auth, image);
            ShareChecks.addTo(checks, auth, image);
            ShareAdminChecks.addTo(checks, auth, image);
            TransactionChecks.addTo(checks, auth, image);
            ConfigChecks.addTo(checks, auth);
        } else {
            GroupChecks.addOperationsTo(checks, auth);
        }
        // The registry's own settings go with its handlers: without them request quotas would not be timed.
        ApiRegistry wrapped = new ApiRegistry().requestTimeQuota(registry.requestTimeQuota()).metrics(registry.metrics());
        for (ApiHandler<?> handler : registry.handlers()) {
            Check<?> check = checks.get(handler.apiKey());
            wrapped.register(check == null ? handler : wrapOne(handler, check));
        }
        return wrapped;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ApiHandler<?> wrapOne(ApiHandler<?> handler, Check<?> check) {
        return new Checked(handler, check);
    }

    /** A handler behind its check; delegates everything else. */
    private record Checked<R extends AbstractRequest>(ApiHandler<R> handler, Check<R> check)
            implements WrappingApiHandler<R> {
        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request) {
            return check.handle(context, request, handler);
        }
    }
}
