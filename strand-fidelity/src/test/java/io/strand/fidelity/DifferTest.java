package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DifferTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void maskedFieldsAndElementOrderDoNotCountButEverythingElseDoes() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'throttleTimeMs': 5, 'clusterId': 'a', 'topics': ["
                + "{'name': 'b', 'errorCode': 0, 'errorMessage': 'fine'}, {'name': 'a', 'errorCode': 3}]}"));
        JsonNode strand = Normalizer.normalize(json("{'throttleTimeMs': 0, 'clusterId': 'z', 'topics': ["
                + "{'name': 'a', 'errorCode': 3}, {'name': 'b', 'errorCode': 1, 'errorMessage': null}]}"));

        assertThat(Differ.diff(kafka, strand)).containsExactly(new Differ.Delta("/topics[b]/errorCode", "0", "1"));
    }

    @Test
    void anEndpointsHostIsMaskedAnAclsIsCompared() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'brokers': [{'nodeId': 1, 'host': '127.0.0.1', 'port': 9092}],"
                + " 'resources': [{'resourceName': 't', 'acls': [{'principal': 'User:a', 'host': '*'}]}]}"));
        JsonNode strand = Normalizer.normalize(json("{'brokers': [{'nodeId': 1, 'host': 'localhost', 'port': 9093}],"
                + " 'resources': [{'resourceName': 't', 'acls': [{'principal': 'User:a', 'host': '10.0.0.1'}]}]}"));

        assertThat(Differ.diff(kafka, strand))
                .containsExactly(new Differ.Delta("/resources[t]/acls[0]/host", "\"*\"", "\"10.0.0.1\""));
    }

    @Test
    void aclsCompareByContentWhateverTheirOrder() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'filterResults': [{'matchingAcls': ["
                + "{'resourceName': 'c', 'principal': 'User:a', 'operation': 5, 'permissionType': 2},"
                + "{'resourceName': 'c', 'principal': 'User:a', 'operation': 8, 'permissionType': 2}]}]}"));
        JsonNode strand = Normalizer.normalize(json("{'filterResults': [{'matchingAcls': ["
                + "{'resourceName': 'c', 'principal': 'User:a', 'operation': 8, 'permissionType': 2},"
                + "{'resourceName': 'c', 'principal': 'User:a', 'operation': 5, 'permissionType': 3}]}]}"));

        assertThat(Differ.diff(kafka, strand)).containsExactly(
                new Differ.Delta("/filterResults[0]/matchingAcls[c]/permissionType", "2", "3"));
    }

    @Test
    void aclResourcesOfOneNameCompareByContentWhateverTheirOrder() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'resources': ["
                + "{'resourceType': 2, 'resourceName': 'x', 'patternType': 3, 'acls': [{'principal': 'User:a', 'permissionType': 3}]},"
                + "{'resourceType': 3, 'resourceName': 'x', 'patternType': 3, 'acls': [{'principal': 'User:b', 'permissionType': 3}]}]}"));
        JsonNode strand = Normalizer.normalize(json("{'resources': ["
                + "{'resourceType': 3, 'resourceName': 'x', 'patternType': 3, 'acls': [{'principal': 'User:b', 'permissionType': 3}]},"
                + "{'resourceType': 2, 'resourceName': 'x', 'patternType': 3, 'acls': [{'principal': 'User:a', 'permissionType': 3}]}]}"));

        assertThat(Differ.diff(kafka, strand)).isEmpty();
    }

    @Test
    void clientQuotaEntriesCompareByEntityWhateverTheirOrder() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'entries': ["
                + "{'entity': [{'entityType': 'user', 'entityName': 'u'}, {'entityType': 'client-id', 'entityName': null}],"
                + " 'values': [{'key': 'a', 'value': 1.0}]},"
                + "{'entity': [{'entityType': 'client-id', 'entityName': 'c'}], 'values': [{'key': 'b', 'value': 2.0}]}]}"));
        JsonNode strand = Normalizer.normalize(json("{'entries': ["
                + "{'entity': [{'entityType': 'client-id', 'entityName': 'c'}], 'values': [{'key': 'b', 'value': 3.0}]},"
                + "{'entity': [{'entityType': 'client-id', 'entityName': null}, {'entityType': 'user', 'entityName': 'u'}],"
                + " 'values': [{'key': 'a', 'value': 1.0}]}]}"));

        assertThat(Differ.diff(kafka, strand)).extracting(Differ.Delta::path).as("only the value that differs")
                .containsExactly("/entries[0]/values[b]/value");
    }

    @Test
    void groupMembersCompareWhateverTheOrderOfTheirIds() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'members': [{'memberId': 'x9', 'instanceId': 's', 'memberEpoch': 4},"
                + " {'memberId': 'a1', 'instanceId': null, 'memberEpoch': 3}]}"));
        JsonNode strand = Normalizer.normalize(json("{'members': [{'memberId': 'b', 'instanceId': null, 'memberEpoch': 3},"
                + " {'memberId': 'c', 'instanceId': 's', 'memberEpoch': 5}]}"));

        assertThat(Differ.diff(kafka, strand)).containsExactly(new Differ.Delta("/members[0]/memberEpoch", "4", "5"));
    }

    @Test
    void topicsNamedOnlyByTheirMaskedIdsAreComparedInTheOrderOfTheirContent() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'assignment': {'topicPartitions': ["
                + "{'topicId': 'k2', 'partitions': [0, 1]}, {'topicId': 'k1', 'partitions': [2, 3]}]}}"));
        JsonNode strand = Normalizer.normalize(json("{'assignment': {'topicPartitions': ["
                + "{'topicId': 's1', 'partitions': [2, 3]}, {'topicId': 's2', 'partitions': [0, 5]}]}}"));

        assertThat(Differ.diff(kafka, strand)).extracting(Differ.Delta::path)
                .containsExactly("/assignment/topicPartitions[0]/partitions[1]");
    }

    @Test
    void elementsOfOneNameCompareByContentWhateverTheirOrder() throws Exception {
        // DeleteTopics naming a topic twice: Kafka's controller shuffles its answers.
        JsonNode kafka = Normalizer.normalize(json("{'responses': ["
                + "{'name': 'bad/name', 'topicId': 'a', 'errorCode': 3, 'errorMessage': 'x'},"
                + "{'name': 'bad/name', 'topicId': 'b', 'errorCode': 42, 'errorMessage': 'y'}]}"));
        JsonNode strand = Normalizer.normalize(json("{'responses': ["
                + "{'name': 'bad/name', 'topicId': 'b', 'errorCode': 42, 'errorMessage': 'z'},"
                + "{'name': 'bad/name', 'topicId': 'a', 'errorCode': 3, 'errorMessage': null}]}"));
        JsonNode other = Normalizer.normalize(json("{'responses': ["
                + "{'name': 'bad/name', 'topicId': 'b', 'errorCode': 42, 'errorMessage': 'z'},"
                + "{'name': 'bad/name', 'topicId': 'a', 'errorCode': 36, 'errorMessage': null}]}"));

        assertThat(Differ.diff(kafka, strand)).isEmpty();
        assertThat(Differ.diff(kafka, other)).extracting(Differ.Delta::path).isNotEmpty();
    }

    @Test
    void shareAcknowledgeTopicsCompareByContentWhateverTheOrderOfTheirIds() throws Exception {
        // Kafka lists them in a hash map's order of topic id and partition; each cluster draws its ids.
        JsonNode kafka = Normalizer.normalize(json("{'errorCode': 0, 'responses': ["
                + "{'topicId': 'k2', 'partitions': [{'partitionIndex': 0, 'errorCode': 100, 'errorMessage': 'u',"
                + " 'currentLeader': {'leaderId': -1, 'leaderEpoch': -1}}]},"
                + "{'topicId': 'k1', 'partitions': [{'partitionIndex': 0, 'errorCode': 0, 'errorMessage': null,"
                + " 'currentLeader': {'leaderId': -1, 'leaderEpoch': -1}}]}]}"));
        JsonNode strand = Normalizer.normalize(json("{'errorCode': 0, 'responses': ["
                + "{'topicId': 's1', 'partitions': [{'partitionIndex': 0, 'errorCode': 0, 'errorMessage': null,"
                + " 'currentLeader': {'leaderId': -1, 'leaderEpoch': -1}}]},"
                + "{'topicId': 's2', 'partitions': [{'partitionIndex': 0, 'errorCode': 100, 'errorMessage': null,"
                + " 'currentLeader': {'leaderId': -1, 'leaderEpoch': -1}}]}]}"));

        assertThat(Differ.diff(kafka, strand)).isEmpty();
    }

    @Test
    void anElementMissingOnOneSideOrNamedTwiceShows() throws Exception {
        JsonNode kafka = json("{'topics': [{'name': 'a', 'partitions': [{'partitionIndex': 0}, {'partitionIndex': 7}]}]}");
        JsonNode strand = json("{'topics': [{'name': 'a', 'partitions': [{'partitionIndex': 0}]},"
                + " {'name': 'a', 'partitions': [{'partitionIndex': 7}]}]}");

        assertThat(Differ.diff(kafka, strand)).extracting(Differ.Delta::path)
                .containsExactly("/topics[a]/partitions[7]", "/topics[a#2]");
    }

    @Test
    void recordsAreComparedAsWhatAClientReadsNotAsBytes() throws Exception {
        String plain = RecordsJson.encode(json("{'records': [{'key': 'k', 'value': 'v', 'headers': {'h': 'x'}}]}"));
        String gzip = RecordsJson.encode(json("{'compression': 'gzip', 'records': [{'key': 'k', 'value': 'v',"
                + " 'headers': {'h': 'x'}}]}"));
        String other = RecordsJson.encode(json("{'records': [{'key': 'k', 'value': 'w', 'headers': {'h': 'x'}}]}"));

        assertThat(plain).isNotEqualTo(gzip);
        assertThat(Differ.diff(Normalizer.normalize(json("{'records': '" + plain + "'}")),
                Normalizer.normalize(json("{'records': '" + gzip + "'}")))).isEmpty();
        assertThat(Differ.diff(Normalizer.normalize(json("{'records': '" + plain + "'}")),
                Normalizer.normalize(json("{'records': '" + other + "'}")))).extracting(Differ.Delta::path)
                .containsExactly("/records[0]/records[0]/value");
    }

    @Test
    void partitionsWithAnOffsetAreComparedByIndexButRecordsByPosition() throws Exception {
        JsonNode kafka = Normalizer.normalize(json("{'partitions': [{'partitionIndex': 2, 'offset': 5},"
                + " {'partitionIndex': 0, 'offset': -1}], 'records': [{'offset': 0, 'key': 'b'}, {'offset': 1, 'key': 'a'}]}"));
        JsonNode strand = Normalizer.normalize(json("{'partitions': [{'partitionIndex': 0, 'offset': -1},"
                + " {'partitionIndex': 2, 'offset': 5}], 'records': [{'offset': 0, 'key': 'a'}, {'offset': 1, 'key': 'b'}]}"));

        assertThat(Differ.diff(kafka, strand)).extracting(Differ.Delta::path)
                .containsExactly("/records[0]/key", "/records[1]/key");
    }
}
