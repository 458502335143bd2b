package io.strand.broker.api.security;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The SASL and SCRAM API handlers of a broker, built in one call: SaslHandshake and SaslAuthenticate
 * (ILLEGAL_SASL_STATE outside an authentication, which a connection's authenticator answers itself),
 * AlterUserScramCredentials (forwarded to the active controller) and DescribeUserScramCredentials
 * (from the image). Stateless.
 */
public final class SecurityHandlers {

    private SecurityHandlers() {
    }

    public static List<ApiHandler<?>> all(Supplier<MetadataImage> image, ControllerChannel controller) {
        return List.of(
                new SaslHandshakeHandler(),
                new SaslAuthenticateHandler(),
                new AlterUserScramCredentialsHandler(request -> controller.send(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                        request).thenApply(AlterUserScramCredentialsResponseData.class::cast)),
                new DescribeUserScramCredentialsHandler(image));
    }
}
