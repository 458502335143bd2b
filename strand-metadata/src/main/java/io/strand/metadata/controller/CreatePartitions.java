package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes a CreatePartitions request against an image: new PartitionRecords (same replication
 * factor as the topic's partition 0; placed round-robin or as assigned) or Kafka's error per
 * topic. Validate-only requests get the same answers and no records. Runs on the controller thread.
 *
 * <p>The requested count is bounded before it sizes anything: a topic whose new partitions would
 * take the request past {@link QuorumController#MAX_PARTITIONS_PER_REQUEST} gets POLICY_VIOLATION
 * ("Excessively large number of partitions per request.", the limit and answer Kafka gives
 * CreateTopics; Kafka's CreatePartitions only bounds its record list, and fails a topic over it
 * with UNKNOWN_SERVER_ERROR after placing). More topics than
 * {@link QuorumController#MAX_RECORDS_PER_USER_OP} fail the whole request with POLICY_VIOLATION, as
 * Kafka's bounded result list does.
 */
final class CreatePartitions {

    private CreatePartitions() {
    }

    static ControllerResult<CreatePartitionsResponseData> compute(MetadataImage image,
                                                                  CreatePartitionsRequestData request,
                                                                  ReplicaPlacer placer) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (CreatePartitionsTopic topic : request.topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        // Kafka bounds the per-topic results as it bounds the records.
        RecordLimitExceededException.check("CreatePartitions", 0, request.topics().size());
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        for (String name : duplicates) {
            response.results().add(result(name, Errors.INVALID_REQUEST, "Duplicate topic name."));
        }
        for (CreatePartitionsTopic topic : request.topics()) {
            if (duplicates.contains(topic.name())) {
                continue;
            }
            List<MetadataRecord> topicRecords = new ArrayList<>();
            try {
                createFor(image, topic, placer, records.size(), topicRecords);
                records.addAll(topicRecords);
                response.results().add(result(topic.name(), Errors.NONE, null));
            } catch (ApiException e) {
                response.results().add(result(topic.name(), Errors.forException(e), e.getMessage()));
            }
        }
        return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
    }

    /**
     * @param written the records the request's earlier topics produced, which count against the limit
     * @throws PolicyViolationException when the new partitions would take the request past its
     *         partition limit; checked before anything is sized by the requested count
     */
    private static void createFor(MetadataImage image, CreatePartitionsTopic request, ReplicaPlacer placer,
                                  int written, List<MetadataRecord> records) {
        TopicImage topic = image.topics().byName(request.name()).orElseThrow(() ->
                new UnknownTopicOrPartitionException(Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
        int current = topic.numPartitions();
        if (request.count() == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partition(s).");
        }
        if (request.count() < current) {
            throw new InvalidPartitionsException("The topic " + topic.name() + " currently has " + current
                    + " partition(s); " + request.count() + " would not be an increase.");
        }
        int additional = request.count() - current;
        // Null on the wire means "place them"; an empty list, as in Kafka, is a list of no assignments
        // (INVALID_REPLICA_ASSIGNMENT for the missing ones).
        List<CreatePartitionsAssignment> given = request.assignments();
        if (given != null && given.size() != additional) {
            throw new InvalidReplicaAssignmentException("Attempted to add " + additional
                    + " additional partition(s), but only " + given.size() + " assignment(s) were specified.");
        }
        if ((long) written + additional > QuorumController.MAX_PARTITIONS_PER_REQUEST) {
            throw new PolicyViolationException(QuorumController.EXCESSIVE_PARTITIONS_MESSAGE);
        }
        int replicationFactor = topic.replicationFactor();
        List<List<Integer>> assignments;
        if (given != null) {
            for (CreatePartitionsAssignment assignment : given) {
                ManualAssignment.validate(image, assignment.brokerIds(), OptionalInt.of(replicationFactor));
            }
            assignments = new ArrayList<>(given.size());
            for (CreatePartitionsAssignment assignment : given) {
                assignments.add(List.copyOf(assignment.brokerIds()));
            }
        } else {
            assignments = placer.place(image, additional, replicationFactor);
        }
        for (int i = 0; i < assignments.size(); i++) {
            records.add(ManualAssignment.newPartition(image, assignments.get(i)).toRecord(topic.id(), current + i));
        }
    }

    private static CreatePartitionsTopicResult result(String name, Errors error, String message) {
        return new CreatePartitionsTopicResult().setName(name).setErrorCode(error.code()).setErrorMessage(message);
    }
}
