package io.strand.metadata.controller;

import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes a CreateTopics request against an image: per topic either an error or a TopicRecord,
 * its ConfigRecords and its PartitionRecords. Kafka's checks, codes and messages, in Kafka's order:
 * name (duplicates in the request, {@link Topic#validate}, the metadata topic, collisions of
 * '.'/'_'), existence, configs ({@link TopicConfigs#validate}), then assignments or counts and
 * placement. Validate-only requests get the same answers and no records. The v5+ configs list of
 * each result is left for the broker to fill.
 *
 * <p>Client counts are bounded before they size anything, with Kafka's limits: first the
 * partitions the whole request asks for ({@link QuorumController#MAX_PARTITIONS_PER_REQUEST}), then,
 * per topic once its replication factor is known to fit the registered brokers, the records it needs
 * (one topic record, its config records, one per partition) against
 * {@link QuorumController#MAX_RECORDS_PER_USER_OP} for the request. Either failing fails the whole
 * request with POLICY_VIOLATION (every topic answers it), as in Kafka.
 *
 * <p>Stateless apart from the controller's {@link Random} and {@link ReplicaPlacer}; runs on the
 * controller thread.
 */
final class CreateTopics {

    private CreateTopics() {
    }

    static ControllerResult<CreateTopicsResponseData> compute(MetadataImage image, CreateTopicsRequestData request,
                                                              ControllerDefaults defaults, ReplicaPlacer placer,
                                                              Random random) {
        checkPartitionsPerRequest(request, defaults);
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (CreatableTopic topic : request.topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        Map<String, String> existingByUnifiedName = new HashMap<>();
        for (TopicImage topic : image.topics().all()) {
            if (Topic.hasCollisionChars(topic.name())) {
                existingByUnifiedName.put(Topic.unifyCollisionChars(topic.name()), topic.name());
            }
        }
        List<Integer> brokerIds = ReplicaPlacer.usableBrokers(image);
        Set<Uuid> usedIds = new HashSet<>();
        List<MetadataRecord> records = new ArrayList<>();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (CreatableTopic topic : request.topics()) {
            if (duplicates.contains(topic.name())) {
                continue;
            }
            CreatableTopicResult result;
            try {
                result = createOne(image, topic, defaults, placer, random, brokerIds, existingByUnifiedName,
                        usedIds, records);
            } catch (ApiException e) {
                result = error(topic.name(), Errors.forException(e), e.getMessage());
            }
            response.topics().add(result);
        }
        for (String name : duplicates) {
            response.topics().add(error(name, Errors.INVALID_REQUEST, "Duplicate topic name."));
        }
        return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
    }

    private static CreatableTopicResult createOne(MetadataImage image, CreatableTopic topic,
                                                  ControllerDefaults defaults, ReplicaPlacer placer, Random random,
                                                  List<Integer> brokerIds, Map<String, String> byUnifiedName,
                                                  Set<Uuid> usedIds, List<MetadataRecord> records) {
        String name = topic.name();
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return error(name, Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (name.equals(Topic.CLUSTER_METADATA_TOPIC_NAME)) {
            return error(name, Errors.INVALID_REQUEST,
                    "Creation of internal topic " + Topic.CLUSTER_METADATA_TOPIC_NAME + " is prohibited.");
        }
        if (image.topics().byName(name).isPresent()) {
            return error(name, Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        if (Topic.hasCollisionChars(name)) {
            String colliding = byUnifiedName.get(Topic.unifyCollisionChars(name));
            if (colliding != null) {
                return error(name, Errors.INVALID_TOPIC_EXCEPTION,
                        "Topic '" + name + "' collides with existing topic: " + colliding);
            }
        }

        Map<String, String> configs = new TreeMap<>();
        List<String> nullConfigs = new ArrayList<>();
        for (CreatableTopicConfig config : topic.configs()) {
            if (config.value() == null) {
                nullConfigs.add(config.name());
            } else {
                configs.put(config.name(), config.value());
            }
        }
        if (!nullConfigs.isEmpty()) {
            return error(name, Errors.INVALID_CONFIG,
                    "Null value not supported for topic configs: " + String.join(",", nullConfigs));
        }
        try {
            TopicConfigs.validate(configs);
        } catch (ConfigException e) {
            return error(name, Errors.INVALID_CONFIG, e.getMessage());
        }

        List<List<Integer>> assignments;
        if (!topic.assignments().isEmpty()) {
            if (topic.replicationFactor() != -1) {
                return error(name, Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but replication factor was not set to -1.");
            }
            if (topic.numPartitions() != -1) {
                return error(name, Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            Map<Integer, List<Integer>> byPartition = new TreeMap<>();
            OptionalInt replicationFactor = OptionalInt.empty();
            for (CreatableReplicaAssignment assignment : topic.assignments()) {
                if (byPartition.containsKey(assignment.partitionIndex())) {
                    return error(name, Errors.INVALID_REPLICA_ASSIGNMENT,
                            "Found multiple manual partition assignments for partition " + assignment.partitionIndex());
                }
                ManualAssignment.validate(image, assignment.brokerIds(), replicationFactor);
                replicationFactor = OptionalInt.of(assignment.brokerIds().size());
                byPartition.put(assignment.partitionIndex(), List.copyOf(assignment.brokerIds()));
            }
            for (int i = 0; i < byPartition.size(); i++) {
                if (!byPartition.containsKey(i)) {
                    return error(name, Errors.INVALID_REPLICA_ASSIGNMENT,
                            "partitions should be a consecutive 0-based integer sequence");
                }
            }
            RecordLimitExceededException.check("CreateTopics", records.size(),
                    1L + configs.size() + byPartition.size());
            assignments = new ArrayList<>(byPartition.values());
        } else if (topic.replicationFactor() < -1 || topic.replicationFactor() == 0) {
            return error(name, Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        } else if (topic.numPartitions() < -1 || topic.numPartitions() == 0) {
            return error(name, Errors.INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value.");
        } else {
            int numPartitions = topic.numPartitions() == -1 ? defaults.numPartitions() : topic.numPartitions();
            int replicationFactor = topic.replicationFactor() == -1
                    ? defaults.defaultReplicationFactor() : topic.replicationFactor();
            try {
                ReplicaPlacer.checkReplicationFactor(brokerIds.size(), replicationFactor);
            } catch (InvalidReplicationFactorException e) {
                return error(name, Errors.INVALID_REPLICATION_FACTOR,
                        "Unable to replicate the partition " + replicationFactor + " time(s): " + e.getMessage());
            }
            RecordLimitExceededException.check("CreateTopics", records.size(), 1L + configs.size() + numPartitions);
            assignments = placer.place(image, numPartitions, replicationFactor);
        }

        List<PartitionRegistration> partitions = new ArrayList<>(assignments.size());
        for (List<Integer> replicas : assignments) {
            partitions.add(ManualAssignment.newPartition(image, replicas));
        }
        Uuid topicId = TopicIds.next(random, image, usedIds);
        records.add(new TopicRecord(name, topicId));
        configs.forEach((key, value) ->
                records.add(new ConfigRecord(ConfigResource.Type.TOPIC, name, key, value)));
        for (int partitionId = 0; partitionId < partitions.size(); partitionId++) {
            records.add(partitions.get(partitionId).toRecord(topicId, partitionId));
        }
        if (Topic.hasCollisionChars(name)) {
            byUnifiedName.put(Topic.unifyCollisionChars(name), name);
        }
        return new CreatableTopicResult()
                .setName(name)
                .setTopicId(topicId)
                .setErrorCode(Errors.NONE.code())
                .setErrorMessage(null)
                .setNumPartitions(assignments.size())
                .setReplicationFactor((short) assignments.get(0).size())
                .setTopicConfigErrorCode(Errors.NONE.code());
    }

    /**
     * Kafka's first check of a CreateTopics request, before its names: the partitions it asks for
     * (a count, the default for -1, or the assignments given; non-positive counts are left to their
     * own error) may total at most {@link QuorumController#MAX_PARTITIONS_PER_REQUEST}.
     *
     * @throws PolicyViolationException for the whole request when they do not
     */
    private static void checkPartitionsPerRequest(CreateTopicsRequestData request, ControllerDefaults defaults) {
        long total = 0;
        for (CreatableTopic topic : request.topics()) {
            if (!topic.assignments().isEmpty()) {
                total += topic.assignments().size();
            } else if (topic.numPartitions() == -1) {
                total += defaults.numPartitions();
            } else if (topic.numPartitions() > 0) {
                total += topic.numPartitions();
            }
        }
        if (total > QuorumController.MAX_PARTITIONS_PER_REQUEST) {
            throw new PolicyViolationException(QuorumController.EXCESSIVE_PARTITIONS_MESSAGE);
        }
    }

    static CreatableTopicResult error(String name, Errors error, String message) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(message);
    }
}
