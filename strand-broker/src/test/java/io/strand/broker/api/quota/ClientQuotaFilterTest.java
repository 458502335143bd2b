package io.strand.broker.api.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.junit.jupiter.api.Test;

class ClientQuotaFilterTest {

    private static final Map<String, String> USER_U = Map.of("user", "u");
    private static final Map<String, String> CLIENT_C = Map.of("client-id", "c");
    private static final Map<String, String> USER_U_CLIENT_C = Map.of("user", "u", "client-id", "c");
    private static final Map<String, String> DEFAULT_USER = defaultOf("user");

    private static Map<String, String> defaultOf(String type) {
        Map<String, String> entity = new HashMap<>();
        entity.put(type, null);
        return entity;
    }

    private static ComponentData exact(String type, String name) {
        return new ComponentData().setEntityType(type).setMatchType(DescribeClientQuotasRequest.MATCH_TYPE_EXACT)
                .setMatch(name);
    }

    private static ComponentData defaultMatch(String type) {
        return new ComponentData().setEntityType(type).setMatchType(DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT);
    }

    private static ComponentData any(String type) {
        return new ComponentData().setEntityType(type).setMatchType(DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED);
    }

    private static ClientQuotaFilter filter(boolean strict, ComponentData... components) {
        return ClientQuotaFilter.of(new DescribeClientQuotasRequestData().setStrict(strict)
                .setComponents(new ArrayList<>(List.of(components))));
    }

    @Test
    void exactMatchesTheNameAndNonStrictAllowsFurtherTypes() {
        ClientQuotaFilter filter = filter(false, exact("user", "u"));

        assertThat(filter.matches(USER_U)).isTrue();
        assertThat(filter.matches(USER_U_CLIENT_C)).isTrue();
        assertThat(filter.matches(CLIENT_C)).isFalse();
        assertThat(filter.matches(DEFAULT_USER)).isFalse();
        assertThat(filter(true, exact("user", "u")).matches(USER_U_CLIENT_C)).isFalse();
    }

    @Test
    void defaultMatchesOnlyTheNullNameAndAnyMatchesEveryName() {
        assertThat(filter(false, defaultMatch("user")).matches(DEFAULT_USER)).isTrue();
        assertThat(filter(false, defaultMatch("user")).matches(USER_U)).isFalse();
        ClientQuotaFilter anyUser = filter(true, any("user"));
        assertThat(anyUser.matches(USER_U)).isTrue();
        assertThat(anyUser.matches(DEFAULT_USER)).isTrue();
        assertThat(anyUser.matches(USER_U_CLIENT_C)).isFalse();
        assertThat(filter(false).matches(CLIENT_C)).isTrue();
        assertThat(filter(true).matches(CLIENT_C)).isFalse();
    }

    @Test
    void refusesWhatKafkaRefuses() {
        assertThatThrownBy(() -> filter(false, exact("user", "a"), any("user")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Entity type user cannot appear more than once in the filter.");
        assertThatThrownBy(() -> filter(false, any("")))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Invalid empty entity type.");
        assertThatThrownBy(() -> filter(false, any("group")))
                .isInstanceOf(UnsupportedVersionException.class).hasMessage("Unsupported entity type group");
        assertThatThrownBy(() -> filter(false, any("ip"), exact("user", "u")))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("Invalid entity filter component");
    }
}
