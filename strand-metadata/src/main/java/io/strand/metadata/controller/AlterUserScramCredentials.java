package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RemoveUserScramCredentialRecord;
import io.strand.metadata.record.UserScramCredentialRecord;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;

/**
 * AlterUserScramCredentials on the controller, with Kafka's rules: a user changed twice in one request
 * (by user name, whatever the mechanisms) is DUPLICATE_RESOURCE and none of its changes apply; an
 * empty user name is UNACCEPTABLE_CREDENTIAL; a mechanism type other than SCRAM-SHA-256 (1) or
 * SCRAM-SHA-512 (2) is UNSUPPORTED_SASL_MECHANISM; fewer iterations than the mechanism's minimum (4096)
 * or more than {@value #MAX_ITERATIONS} are UNACCEPTABLE_CREDENTIAL; deleting a credential the user does
 * not have is RESOURCE_NOT_FOUND. The client sends the salted password; only the stored and server keys
 * derived from it are written. One result per user named; the valid users' records are appended together.
 * Stateless: computes from the image, changes nothing.
 */
final class AlterUserScramCredentials {

    /** The most iterations accepted, as Kafka's controller. */
    static final int MAX_ITERATIONS = 16_384;
    private static final String TWICE = "A user credential cannot be altered twice in the same request";

    private AlterUserScramCredentials() {
    }

    static ControllerResult<AlterUserScramCredentialsResponseData> compute(MetadataImage image,
                                                                          AlterUserScramCredentialsRequestData request) {
        Map<String, ScramCredentialDeletion> deletions = new LinkedHashMap<>();
        Map<String, ScramCredentialUpsertion> upsertions = new LinkedHashMap<>();
        Map<String, ApiError> errors = new LinkedHashMap<>();
        for (ScramCredentialDeletion deletion : request.deletions()) {
            String user = deletion.name();
            if (errors.containsKey(user)) {
                continue;
            }
            if (deletions.remove(user) != null) {
                errors.put(user, new ApiError(Errors.DUPLICATE_RESOURCE, TWICE));
                continue;
            }
            ApiError error = checkDeletion(image, deletion);
            if (error.isFailure()) {
                errors.put(user, error);
            } else {
                deletions.put(user, deletion);
            }
        }
        for (ScramCredentialUpsertion upsertion : request.upsertions()) {
            String user = upsertion.name();
            if (errors.containsKey(user)) {
                continue;
            }
            if (deletions.remove(user) != null || upsertions.remove(user) != null) {
                errors.put(user, new ApiError(Errors.DUPLICATE_RESOURCE, TWICE));
                continue;
            }
            ApiError error = checkUpsertion(upsertion);
            if (error.isFailure()) {
                errors.put(user, error);
            } else {
                upsertions.put(user, upsertion);
            }
        }
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        for (ScramCredentialDeletion deletion : deletions.values()) {
            records.add(new RemoveUserScramCredentialRecord(deletion.name(), deletion.mechanism()));
            response.results().add(result(deletion.name(), ApiError.NONE));
        }
        for (ScramCredentialUpsertion upsertion : upsertions.values()) {
            try {
                records.add(credentialRecord(upsertion));
                response.results().add(result(upsertion.name(), ApiError.NONE));
            } catch (GeneralSecurityException | RuntimeException e) {
                errors.put(upsertion.name(), ApiError.fromThrowable(e));
            }
        }
        errors.forEach((user, error) -> response.results().add(result(user, error)));
        return new ControllerResult<>(records, response);
    }

    /** The record of an upsertion: Kafka's SCRAM keys derived from the client's salted password. */
    static UserScramCredentialRecord credentialRecord(ScramCredentialUpsertion upsertion)
            throws GeneralSecurityException {
        ScramFormatter formatter = new ScramFormatter(internal(ScramMechanism.fromType(upsertion.mechanism())));
        byte[] salted = upsertion.saltedPassword();
        return new UserScramCredentialRecord(upsertion.name(), upsertion.mechanism(), upsertion.salt(),
                formatter.storedKey(formatter.clientKey(salted)), formatter.serverKey(salted), upsertion.iterations());
    }

    private static ApiError checkUpsertion(ScramCredentialUpsertion upsertion) {
        ScramMechanism mechanism = ScramMechanism.fromType(upsertion.mechanism());
        ApiError error = checkNameAndMechanism(upsertion.name(), mechanism);
        if (error.isFailure()) {
            return error;
        }
        if (upsertion.iterations() < internal(mechanism).minIterations()) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
        }
        if (upsertion.iterations() > MAX_ITERATIONS) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
        }
        return ApiError.NONE;
    }

    private static ApiError checkDeletion(MetadataImage image, ScramCredentialDeletion deletion) {
        ApiError error = checkNameAndMechanism(deletion.name(), ScramMechanism.fromType(deletion.mechanism()));
        if (error.isFailure()) {
            return error;
        }
        if (image.scram().credential(deletion.name(), deletion.mechanism()) == null) {
            return new ApiError(Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
        }
        return ApiError.NONE;
    }

    private static ApiError checkNameAndMechanism(String user, ScramMechanism mechanism) {
        if (user.isEmpty()) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        if (mechanism == ScramMechanism.UNKNOWN) {
            return new ApiError(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        }
        return ApiError.NONE;
    }

    private static org.apache.kafka.common.security.scram.internals.ScramMechanism internal(ScramMechanism mechanism) {
        return org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(mechanism.mechanismName());
    }

    private static AlterUserScramCredentialsResult result(String user, ApiError error) {
        return new AlterUserScramCredentialsResult().setUser(user).setErrorCode(error.error().code())
                .setErrorMessage(error.isFailure() ? error.message() : null);
    }
}
