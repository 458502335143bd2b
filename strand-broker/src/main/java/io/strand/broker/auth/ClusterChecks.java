package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The checks of APIs that act on the cluster as a whole, as Kafka's KafkaApis makes them: the whole
 * request is refused with CLUSTER_AUTHORIZATION_FAILED unless the caller may do the operation on the
 * cluster resource.
 * <table>
 *   <caption>Cluster operations</caption>
 *   <tr><th>API</th><th>operation</th></tr>
 *   <tr><td>CreateAcls, DeleteAcls, ElectLeaders, AlterPartitionReassignments, AlterUserScramCredentials,
 *       UpdateFeatures, AlterReplicaLogDirs</td><td>ALTER</td></tr>
 *   <tr><td>DescribeAcls, ListPartitionReassignments, DescribeLogDirs, DescribeQuorum,
 *       DescribeUserScramCredentials</td><td>DESCRIBE</td></tr>
 *   <tr><td>AlterClientQuotas</td><td>ALTER_CONFIGS</td></tr>
 *   <tr><td>DescribeClientQuotas</td><td>DESCRIBE_CONFIGS</td></tr>
 *   <tr><td>WriteTxnMarkers, InitializeShareGroupState, ReadShareGroupState, WriteShareGroupState,
 *       DeleteShareGroupState, ReadShareGroupStateSummary (brokers only)</td><td>CLUSTER_ACTION</td></tr>
 *   <tr><td>DescribeCluster</td><td>none; its authorized operations are the caller's when it may
 *       DESCRIBE the cluster, else 0</td></tr>
 * </table>
 * Checks of APIs this node does not serve (yet) are never used: only registered handlers are wrapped.
 */
final class ClusterChecks {

    private ClusterChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth) {
        requiring(checks, auth, AclOperation.ALTER, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS, ApiKeys.ELECT_LEADERS,
                ApiKeys.ALTER_PARTITION_REASSIGNMENTS, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, ApiKeys.UPDATE_FEATURES,
                ApiKeys.ALTER_REPLICA_LOG_DIRS);
        requiring(checks, auth, AclOperation.DESCRIBE, ApiKeys.DESCRIBE_ACLS, ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.DESCRIBE_QUORUM, ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS);
        requiring(checks, auth, AclOperation.ALTER_CONFIGS, ApiKeys.ALTER_CLIENT_QUOTAS);
        requiring(checks, auth, AclOperation.DESCRIBE_CONFIGS, ApiKeys.DESCRIBE_CLIENT_QUOTAS);
        requiring(checks, auth, AclOperation.CLUSTER_ACTION, ApiKeys.WRITE_TXN_MARKERS,
                ApiKeys.INITIALIZE_SHARE_GROUP_STATE, ApiKeys.READ_SHARE_GROUP_STATE, ApiKeys.WRITE_SHARE_GROUP_STATE,
                ApiKeys.DELETE_SHARE_GROUP_STATE, ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY);
        checks.put(ApiKeys.DESCRIBE_CLUSTER, (Check<DescribeClusterRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    DescribeClusterResponseData response = (DescribeClusterResponseData) message;
                    if (request.data().includeClusterAuthorizedOperations()) {
                        response.setClusterAuthorizedOperations(auth.authorizeCluster(context, AclOperation.DESCRIBE)
                                ? auth.authorizedOperations(context, ResourceType.CLUSTER, Authorization.CLUSTER_NAME)
                                : 0);
                    }
                    return response;
                }));
    }

    private static void requiring(Map<ApiKeys, Check<?>> checks, Authorization auth, AclOperation operation,
                                  ApiKeys... apis) {
        Check<AbstractRequest> check = (context, request, handler) -> {
            auth.requireCluster(context, operation);
            return handler.handle(context, request);
        };
        for (ApiKeys api : apis) {
            checks.put(api, check);
        }
    }
}
