package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes a DeleteTopics request (names in v0-5, names or ids in v6+) against an image: one
 * RemoveTopicRecord per topic found, Kafka's errors for the rest (UNKNOWN_TOPIC_OR_PARTITION for a
 * name, UNKNOWN_TOPIC_ID for an id, INVALID_REQUEST for both or neither, duplicates, and a name
 * that resolves to an id also given). Stateless.
 */
final class DeleteTopics {

    private DeleteTopics() {
    }

    static ControllerResult<DeleteTopicsResponseData> compute(MetadataImage image, DeleteTopicsRequestData request) {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        Set<String> names = new LinkedHashSet<>();
        Set<String> duplicateNames = new LinkedHashSet<>();
        Set<Uuid> ids = new LinkedHashSet<>();
        Set<Uuid> duplicateIds = new LinkedHashSet<>();
        for (String name : request.topicNames()) {
            addName(name, names, duplicateNames);
        }
        for (DeleteTopicState topic : request.topics()) {
            boolean hasId = topic.topicId() != null && !topic.topicId().equals(Uuid.ZERO_UUID);
            if (topic.name() == null) {
                if (!hasId) {
                    add(response, null, Uuid.ZERO_UUID, Errors.INVALID_REQUEST,
                            "Neither topic name nor id were specified.");
                } else if (duplicateIds.contains(topic.topicId()) || !ids.add(topic.topicId())) {
                    duplicateIds.add(topic.topicId());
                    ids.remove(topic.topicId());
                }
            } else if (hasId) {
                add(response, topic.name(), topic.topicId(), Errors.INVALID_REQUEST,
                        "You may not specify both topic name and topic id.");
            } else {
                addName(topic.name(), names, duplicateNames);
            }
        }
        for (String name : duplicateNames) {
            add(response, name, Uuid.ZERO_UUID, Errors.INVALID_REQUEST, "Duplicate topic name.");
        }
        for (Uuid id : duplicateIds) {
            add(response, null, id, Errors.INVALID_REQUEST, "Duplicate topic id.");
        }

        Map<Uuid, String> toDelete = new LinkedHashMap<>();
        for (Uuid id : ids) {
            TopicImage topic = image.topics().byId(id).orElse(null);
            if (topic == null) {
                add(response, null, id, Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_TOPIC_ID.message());
            } else {
                toDelete.put(id, topic.name());
            }
        }
        for (String name : names) {
            TopicImage topic = image.topics().byName(name).orElse(null);
            if (topic == null) {
                add(response, name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
            } else if (toDelete.containsKey(topic.id())) {
                toDelete.remove(topic.id());
                add(response, name, topic.id(), Errors.INVALID_REQUEST,
                        "The provided topic name maps to an ID that was already supplied.");
            } else {
                toDelete.put(topic.id(), name);
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        toDelete.forEach((id, name) -> {
            records.add(new RemoveTopicRecord(id));
            add(response, name, id, Errors.NONE, null);
        });
        return new ControllerResult<>(records, response);
    }

    private static void addName(String name, Set<String> names, Set<String> duplicates) {
        if (duplicates.contains(name) || !names.add(name)) {
            duplicates.add(name);
            names.remove(name);
        }
    }

    private static void add(DeleteTopicsResponseData response, String name, Uuid id, Errors error, String message) {
        response.responses().add(new DeletableTopicResult()
                .setName(name)
                .setTopicId(id)
                .setErrorCode(error.code())
                .setErrorMessage(message));
    }
}
