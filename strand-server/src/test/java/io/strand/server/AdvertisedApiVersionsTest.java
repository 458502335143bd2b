package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins every version range a node advertises in ApiVersions. A change here is a protocol change:
 * a range moves only when the handler implements (or drops) those versions, and an API appears or
 * disappears only with its handler. kafka-clients upgrades change nothing here.
 */
class AdvertisedApiVersionsTest {

    /** API key → "min-max", as ApiVersions answers it. */
    private static final Map<ApiKeys, String> ADVERTISED = Map.ofEntries(
            Map.entry(ApiKeys.PRODUCE, "0-13"),
            Map.entry(ApiKeys.FETCH, "4-18"),
            Map.entry(ApiKeys.LIST_OFFSETS, "1-11"),
            Map.entry(ApiKeys.METADATA, "0-13"),
            Map.entry(ApiKeys.OFFSET_COMMIT, "2-10"),
            Map.entry(ApiKeys.OFFSET_FETCH, "1-10"),
            Map.entry(ApiKeys.FIND_COORDINATOR, "0-6"),
            Map.entry(ApiKeys.JOIN_GROUP, "0-9"),
            Map.entry(ApiKeys.HEARTBEAT, "0-4"),
            Map.entry(ApiKeys.LEAVE_GROUP, "0-5"),
            Map.entry(ApiKeys.SYNC_GROUP, "0-5"),
            Map.entry(ApiKeys.DESCRIBE_GROUPS, "0-6"),
            Map.entry(ApiKeys.LIST_GROUPS, "0-5"),
            Map.entry(ApiKeys.API_VERSIONS, "0-4"),
            Map.entry(ApiKeys.CREATE_TOPICS, "2-7"),
            Map.entry(ApiKeys.DELETE_TOPICS, "1-6"),
            Map.entry(ApiKeys.DELETE_RECORDS, "0-2"),
            Map.entry(ApiKeys.INIT_PRODUCER_ID, "0-5"),
            Map.entry(ApiKeys.OFFSET_FOR_LEADER_EPOCH, "2-4"),
            Map.entry(ApiKeys.ADD_PARTITIONS_TO_TXN, "0-5"),
            Map.entry(ApiKeys.ADD_OFFSETS_TO_TXN, "0-4"),
            Map.entry(ApiKeys.END_TXN, "0-5"),
            Map.entry(ApiKeys.WRITE_TXN_MARKERS, "1-2"),
            Map.entry(ApiKeys.TXN_OFFSET_COMMIT, "0-5"),
            Map.entry(ApiKeys.DESCRIBE_CONFIGS, "1-4"),
            Map.entry(ApiKeys.ALTER_CONFIGS, "0-2"),
            Map.entry(ApiKeys.DESCRIBE_ACLS, "1-3"),
            Map.entry(ApiKeys.CREATE_ACLS, "1-3"),
            Map.entry(ApiKeys.DELETE_ACLS, "1-3"),
            Map.entry(ApiKeys.DESCRIBE_LOG_DIRS, "1-5"),
            Map.entry(ApiKeys.CREATE_PARTITIONS, "0-3"),
            Map.entry(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, "0-1"),
            Map.entry(ApiKeys.LIST_PARTITION_REASSIGNMENTS, "0-0"),
            Map.entry(ApiKeys.DELETE_GROUPS, "0-2"),
            Map.entry(ApiKeys.ELECT_LEADERS, "0-2"),
            Map.entry(ApiKeys.INCREMENTAL_ALTER_CONFIGS, "0-1"),
            Map.entry(ApiKeys.OFFSET_DELETE, "0-0"),
            Map.entry(ApiKeys.DESCRIBE_CLIENT_QUOTAS, "0-1"),
            Map.entry(ApiKeys.ALTER_CLIENT_QUOTAS, "0-1"),
            Map.entry(ApiKeys.DESCRIBE_CLUSTER, "0-2"),
            Map.entry(ApiKeys.DESCRIBE_PRODUCERS, "0-0"),
            Map.entry(ApiKeys.DESCRIBE_TRANSACTIONS, "0-0"),
            Map.entry(ApiKeys.LIST_TRANSACTIONS, "0-2"),
            Map.entry(ApiKeys.DESCRIBE_QUORUM, "0-2"),
            Map.entry(ApiKeys.CONSUMER_GROUP_HEARTBEAT, "0-1"),
            Map.entry(ApiKeys.CONSUMER_GROUP_DESCRIBE, "0-1"),
            Map.entry(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, "0-0"),
            Map.entry(ApiKeys.SHARE_GROUP_HEARTBEAT, "1-1"),
            Map.entry(ApiKeys.SHARE_GROUP_DESCRIBE, "1-1"),
            Map.entry(ApiKeys.SHARE_FETCH, "1-2"),
            Map.entry(ApiKeys.SHARE_ACKNOWLEDGE, "1-2"),
            Map.entry(ApiKeys.INITIALIZE_SHARE_GROUP_STATE, "0-0"),
            Map.entry(ApiKeys.READ_SHARE_GROUP_STATE, "0-0"),
            Map.entry(ApiKeys.WRITE_SHARE_GROUP_STATE, "0-1"),
            Map.entry(ApiKeys.DELETE_SHARE_GROUP_STATE, "0-0"),
            Map.entry(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY, "0-1"),
            Map.entry(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, "0-1"),
            Map.entry(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, "0-0"),
            Map.entry(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, "0-0"),
            Map.entry(ApiKeys.SASL_HANDSHAKE, "0-1"),
            Map.entry(ApiKeys.SASL_AUTHENTICATE, "0-2"),
            Map.entry(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, "0-0"),
            Map.entry(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, "0-0"));

    @TempDir
    Path dataDir;

    @Test
    void advertisesExactlyThePinnedVersionRanges() throws Exception {
        BrokerServer server = BrokerServer.start(BrokerServer.config(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "controller.quorum.voters", "1@127.0.0.1:0",
                "log.dirs", dataDir.toString())), Time.SYSTEM);
        try (Socket socket = new Socket(server.clientAddress().getAddress(), server.clientAddress().getPort())) {
            ApiVersionsResponse response = apiVersions(socket);

            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            Map<ApiKeys, String> advertised = new TreeMap<>();
            for (ApiVersion version : response.data().apiKeys()) {
                advertised.put(ApiKeys.forId(version.apiKey()), version.minVersion() + "-" + version.maxVersion());
            }
            assertThat(advertised).isEqualTo(new TreeMap<>(ADVERTISED));

            Map<String, String> supported = new TreeMap<>();
            response.data().supportedFeatures().forEach(f -> supported.put(f.name(), f.minVersion() + "-"
                    + f.maxVersion()));
            // v4 lists every supported feature (v3 would leave out those starting at 0: KIP-1022).
            assertThat(supported).containsExactlyInAnyOrderEntriesOf(Map.of("metadata.version", "7-30",
                    "group.version", "0-1", "transaction.version", "0-2", "share.version", "0-1"));
            Map<String, Short> finalized = new TreeMap<>();
            response.data().finalizedFeatures().forEach(f -> {
                assertThat(f.minVersionLevel()).as(f.name()).isEqualTo(f.maxVersionLevel());
                finalized.put(f.name(), f.maxVersionLevel());
            });
            assertThat(finalized).as("a new cluster's bootstrap levels").containsExactlyInAnyOrderEntriesOf(Map.of(
                    "metadata.version", (short) 30, "group.version", (short) 1, "transaction.version", (short) 2,
                    "share.version", (short) 1));
            assertThat(response.data().finalizedFeaturesEpoch()).isPositive();
        } finally {
            server.close();
        }
    }

    private static ApiVersionsResponse apiVersions(Socket socket) throws Exception {
        short version = 4; // v4: every supported feature; before it those starting at 0 are left out (KIP-1022)
        ApiVersionsRequest request = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("pin-test").setClientSoftwareVersion("1"), version);
        ByteBuffer frame = request.serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, version, "pin-test", 1));
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();

        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        ByteBuffer buffer = ByteBuffer.wrap(body);
        ResponseHeader.parse(buffer, ApiKeys.API_VERSIONS.responseHeaderVersion(version));
        return (ApiVersionsResponse) ApiVersionsResponse.parseResponse(ApiKeys.API_VERSIONS,
                new ByteBufferAccessor(buffer), version);
    }
}
