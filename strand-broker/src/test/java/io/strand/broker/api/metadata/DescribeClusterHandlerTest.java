package io.strand.broker.api.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.metadata.image.MetadataImage;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.junit.jupiter.api.Test;

class DescribeClusterHandlerTest {

    private final MetadataImage image = TestImages.builder()
            .broker(3, TestImages.LISTENER, "rack-a")
            .broker(2)
            .broker(1, "INTERNAL", null)
            .build();
    private final DescribeClusterHandler handler = new DescribeClusterHandler(() -> image);

    @Test
    void describesTheBrokersReachableOnTheRequestsListener() {
        DescribeClusterResponseData response = handle(new DescribeClusterRequestData(), 1);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.clusterId()).isEqualTo(TestImages.CLUSTER_ID);
        assertThat(response.endpointType()).isEqualTo(EndpointType.BROKER.id());
        assertThat(response.brokers()).extracting(DescribeClusterBroker::brokerId, DescribeClusterBroker::host,
                DescribeClusterBroker::port, DescribeClusterBroker::rack, DescribeClusterBroker::isFenced)
                .containsExactly(tuple(2, "localhost", 9092, null, false), tuple(3, "localhost", 9093, "rack-a", false));
        assertThat(response.controllerId()).isEqualTo(2);
        assertThat(response.clusterAuthorizedOperations()).isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    void clusterOperationsOnRequestAreEverythingKafkaSupports() {
        DescribeClusterResponseData response = handle(
                new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true), 0);

        // What a Kafka 4.3 broker without an authorizer reports.
        assertThat(response.clusterAuthorizedOperations()).isEqualTo(8096);
    }

    @Test
    void askingForControllersIsAMismatchedEndpoint() {
        DescribeClusterResponseData response = handle(
                new DescribeClusterRequestData().setEndpointType(EndpointType.CONTROLLER.id()), 1);

        assertThat(response.errorCode()).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE.code());
        assertThat(response.errorMessage()).isEqualTo(
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
        assertThat(response.brokers()).isEmpty();
    }

    @Test
    void unknownEndpointTypeIsUnsupported() {
        DescribeClusterResponseData response = handle(new DescribeClusterRequestData().setEndpointType((byte) 7), 2);

        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_ENDPOINT_TYPE.code());
        assertThat(response.errorMessage()).isEqualTo("Unsupported endpoint type 7");
    }

    @Test
    void theActiveControllerIsNamedWhenItIsABrokerOnTheListener() {
        DescribeClusterRequest request = new DescribeClusterRequest.Builder(new DescribeClusterRequestData())
                .build((short) 1);

        int onListener = new DescribeClusterHandler(() -> image, () -> 3)
                .handle(Requests.context(request), request).join().controllerId();
        int otherListener = new DescribeClusterHandler(() -> image, () -> 1)
                .handle(Requests.context(request), request).join().controllerId();
        int unknown = new DescribeClusterHandler(() -> image, () -> -1)
                .handle(Requests.context(request), request).join().controllerId();

        assertThat(onListener).isEqualTo(3);
        // Broker 1 has no endpoint on the request's listener: the client could not reach it.
        assertThat(otherListener).isEqualTo(2);
        assertThat(unknown).isEqualTo(2);
    }

    @Test
    void noBrokerOnTheListenerMeansNoControllerId() {
        MetadataImage internalOnly = TestImages.builder().broker(1, "INTERNAL", null).build();
        DescribeClusterRequest request = new DescribeClusterRequest.Builder(new DescribeClusterRequestData())
                .build((short) 0);

        DescribeClusterResponseData response = new DescribeClusterHandler(() -> internalOnly)
                .handle(Requests.context(request), request).join();

        assertThat(response.brokers()).isEmpty();
        assertThat(response.controllerId()).isEqualTo(-1);
    }

    @Test
    void fencedBrokersAreLeftOutUnlessAskedFor() {
        MetadataImage withFenced = TestImages.builder().fencedBroker(1).broker(2).build();
        DescribeClusterHandler describer = new DescribeClusterHandler(() -> withFenced, () -> 1);
        DescribeClusterRequest plain = new DescribeClusterRequest.Builder(new DescribeClusterRequestData())
                .build((short) 2);
        DescribeClusterRequest withFencedAsked = new DescribeClusterRequest.Builder(
                new DescribeClusterRequestData().setIncludeFencedBrokers(true)).build((short) 2);

        DescribeClusterResponseData live = describer.handle(Requests.context(plain), plain).join();
        DescribeClusterResponseData all = describer.handle(Requests.context(withFencedAsked), withFencedAsked).join();

        assertThat(live.brokers()).extracting(DescribeClusterBroker::brokerId, DescribeClusterBroker::isFenced)
                .containsExactly(tuple(2, false));
        assertThat(live.controllerId()).isEqualTo(2);
        assertThat(all.brokers()).extracting(DescribeClusterBroker::brokerId, DescribeClusterBroker::isFenced)
                .containsExactlyInAnyOrder(tuple(1, true), tuple(2, false));
        // A fenced broker is never named controller: the client could not count on it.
        assertThat(all.controllerId()).isEqualTo(2);
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 0; version <= 2; version++) {
            DescribeClusterResponseData read = Requests.overWire(ApiKeys.DESCRIBE_CLUSTER,
                    handle(new DescribeClusterRequestData(), version), version);
            assertThat(read.brokers()).hasSize(2);
            assertThat(read.clusterId()).isEqualTo(TestImages.CLUSTER_ID);
        }
    }

    private DescribeClusterResponseData handle(DescribeClusterRequestData data, int version) {
        DescribeClusterRequest request = new DescribeClusterRequest.Builder(data).build((short) version);
        return handler.handle(Requests.context(request), request).join();
    }
}
