package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RemoveAccessControlEntryRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsMatchingAcl;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Computes CreateAcls and DeleteAcls against an image, as Kafka's AclControlManager does. Stateless.
 *
 * <p>CreateAcls: each creation is validated on its own and answered in request order; a bad one
 * (resource type ANY or UNKNOWN, pattern type other than LITERAL or PREFIXED, operation ANY or
 * UNKNOWN, permission other than ALLOW or DENY, an empty resource name, a cluster resource not named
 * {@code kafka-cluster}, a principal without the {@code :} of {@code Type:name}, a null host) gets INVALID_REQUEST
 * with a message and the others still apply. A binding already in the image, or twice in the request,
 * succeeds without a second record. Each new binding gets a fresh id from the controller's seeded
 * {@link Random}.
 *
 * <p>DeleteAcls: each filter removes every ACL of the image it matches (Kafka's
 * {@link AclBindingFilter#matches}) and lists them in its result; an ACL matched by several filters is
 * removed once and listed under each. A filter with an unknown pattern or entry part fails alone with
 * INVALID_REQUEST.
 */
final class Acls {

    /** The one name a CLUSTER resource may have, Kafka's {@code ResourcePattern}'s cluster name. */
    static final String CLUSTER_NAME = "kafka-cluster";

    private Acls() {
    }

    static ControllerResult<CreateAclsResponseData> create(MetadataImage image, CreateAclsRequestData request,
                                                           Random random) {
        Set<AclBinding> existing = new HashSet<>();
        Set<Uuid> ids = new HashSet<>(image.acls().byId().keySet());
        for (AccessControlEntryRecord acl : image.acls().all()) {
            existing.add(binding(acl));
        }
        List<MetadataRecord> records = new ArrayList<>();
        CreateAclsResponseData response = new CreateAclsResponseData();
        for (AclCreation creation : request.creations()) {
            AclBinding binding;
            try {
                binding = binding(creation);
                validate(binding);
            } catch (RuntimeException e) {
                ApiError error = ApiError.fromThrowable(e);
                response.results().add(new AclCreationResult().setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
                continue;
            }
            if (existing.add(binding)) {
                records.add(record(nextId(random, ids), binding));
            }
            response.results().add(new AclCreationResult().setErrorCode(Errors.NONE.code()));
        }
        return new ControllerResult<>(records, response);
    }

    static ControllerResult<DeleteAclsResponseData> delete(MetadataImage image, DeleteAclsRequestData request) {
        Set<Uuid> removed = new LinkedHashSet<>();
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (DeleteAclsFilter wire : request.filters()) {
            DeleteAclsFilterResult result = new DeleteAclsFilterResult();
            response.filterResults().add(result);
            AclBindingFilter filter;
            try {
                filter = filter(wire);
                if (filter.patternFilter().isUnknown()) {
                    throw new InvalidRequestException("Unknown patternFilter.");
                }
                if (filter.entryFilter().isUnknown()) {
                    throw new InvalidRequestException("Unknown entryFilter.");
                }
            } catch (RuntimeException e) {
                ApiError error = ApiError.fromThrowable(e);
                result.setErrorCode(error.error().code()).setErrorMessage(error.message());
                continue;
            }
            for (AccessControlEntryRecord acl : image.acls().all()) {
                AclBinding binding = binding(acl);
                if (filter.matches(binding)) {
                    removed.add(acl.id());
                    DeleteAclsMatchingAcl matching = DeleteAclsResponse.matchingAcl(binding, ApiError.NONE);
                    result.matchingAcls().add(matching);
                }
            }
        }
        List<MetadataRecord> records = new ArrayList<>(removed.size());
        removed.forEach(id -> records.add(new RemoveAccessControlEntryRecord(id)));
        return new ControllerResult<>(records, response);
    }

    /**
     * The binding a creation asks for; kafka-clients refuses ANY and MATCH in a binding with an
     * IllegalArgumentException, which is the client's mistake: INVALID_REQUEST.
     */
    private static AclBinding binding(AclCreation creation) {
        try {
            return CreateAclsRequest.aclBinding(creation);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** @throws InvalidRequestException naming what is wrong with a binding to be created */
    static void validate(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        if (pattern.resourceType() == ResourceType.ANY || pattern.resourceType() == ResourceType.UNKNOWN) {
            throw new InvalidRequestException("Invalid resourceType " + pattern.resourceType());
        }
        if (pattern.patternType() != PatternType.LITERAL && pattern.patternType() != PatternType.PREFIXED) {
            throw new InvalidRequestException("Invalid patternType " + pattern.patternType());
        }
        switch (entry.operation()) {
            case ANY, UNKNOWN -> throw new InvalidRequestException("Invalid operation " + entry.operation());
            default -> { }
        }
        switch (entry.permissionType()) {
            case ALLOW, DENY -> { }
            default -> throw new InvalidRequestException("Invalid permissionType " + entry.permissionType());
        }
        if (pattern.name() == null || pattern.name().isEmpty()) {
            throw new InvalidRequestException("Resource name should not be empty");
        }
        if (pattern.resourceType() == ResourceType.CLUSTER && !CLUSTER_NAME.equals(pattern.name())) {
            throw new InvalidRequestException("The only valid name for the CLUSTER resource is " + CLUSTER_NAME);
        }
        if (entry.host() == null) {
            throw new InvalidRequestException("Invalid null host");
        }
        // As Kafka's controller: a principal needs its "Type:" separator, nothing more ("User:" and
        // ":alice" are taken as written).
        if (entry.principal() == null || entry.principal().indexOf(':') < 0) {
            throw new InvalidRequestException("Invalid principal " + entry.principal()
                    + ": no ':' separates its type from its name");
        }
    }

    /** The filter a DeleteAcls entry carries (unknown codes read as UNKNOWN, which fail validation). */
    static AclBindingFilter filter(DeleteAclsFilter wire) {
        return new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.fromCode(wire.resourceTypeFilter()), wire.resourceNameFilter(),
                        PatternType.fromCode(wire.patternTypeFilter())),
                new AccessControlEntryFilter(wire.principalFilter(), wire.hostFilter(),
                        AclOperation.fromCode(wire.operation()), AclPermissionType.fromCode(wire.permissionType())));
    }

    static AclBinding binding(AccessControlEntryRecord acl) {
        return new AclBinding(new ResourcePattern(acl.resourceType(), acl.resourceName(), acl.patternType()),
                new AccessControlEntry(acl.principal(), acl.host(), acl.operation(), acl.permissionType()));
    }

    private static AccessControlEntryRecord record(Uuid id, AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        return new AccessControlEntryRecord(id, pattern.resourceType(), pattern.name(), pattern.patternType(),
                entry.principal(), entry.host(), entry.operation(), entry.permissionType());
    }

    private static Uuid nextId(Random random, Set<Uuid> used) {
        while (true) {
            Uuid id = new Uuid(random.nextLong(), random.nextLong());
            if (!Uuid.RESERVED.contains(id) && used.add(id)) {
                return id;
            }
        }
    }
}
