package io.strand.broker.api.security;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.UserScramCredentialRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;

/**
 * DescribeUserScramCredentials (v0), answered from this broker's metadata image as Kafka's brokers answer
 * it: no users named (null or empty) lists every user with a credential; a named user without one is
 * RESOURCE_NOT_FOUND, one named twice DUPLICATE_RESOURCE (with Kafka's messages). Each user gets its
 * mechanisms and iteration counts, never salts or keys. Stateless; event loop (reads memory only).
 */
public final class DescribeUserScramCredentialsHandler implements ApiHandler<DescribeUserScramCredentialsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;
    static final String DUPLICATE = "Cannot describe SCRAM credentials for the same user twice in a single request: ";
    static final String NOT_FOUND = "Attempt to describe a user credential that does not exist: ";

    private final Supplier<MetadataImage> image;

    public DescribeUserScramCredentialsHandler(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public CompletableFuture<DescribeUserScramCredentialsResponseData> handle(
            RequestContext context, DescribeUserScramCredentialsRequest request) {
        Map<String, Map<Byte, UserScramCredentialRecord>> credentials = image.get().scram().all();
        Map<String, Boolean> duplicated = new LinkedHashMap<>();
        if (request.data().users() == null || request.data().users().isEmpty()) {
            credentials.keySet().forEach(user -> duplicated.put(user, false));
        } else {
            for (UserName user : request.data().users()) {
                duplicated.merge(user.name(), false, (was, again) -> true);
            }
        }
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        duplicated.forEach((user, twice) -> {
            DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
            Map<Byte, UserScramCredentialRecord> byMechanism = credentials.get(user);
            if (twice) {
                result.setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage(DUPLICATE + user);
            } else if (byMechanism == null) {
                result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage(NOT_FOUND + user);
            } else {
                byMechanism.forEach((mechanism, credential) -> result.credentialInfos().add(
                        new CredentialInfo().setMechanism(mechanism).setIterations(credential.iterations())));
            }
            response.results().add(result);
        });
        return CompletableFuture.completedFuture(response);
    }
}
