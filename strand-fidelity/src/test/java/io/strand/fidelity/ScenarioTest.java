package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Scenario scenario(String json) throws Exception {
        return Scenario.parse(JSON.readTree(json), "test.json").get(0);
    }

    private static Scenario named(String name, Map<String, String> brokerConfig) {
        return new Scenario(name, "", brokerConfig, List.of());
    }

    @Test
    void aScenarioWithoutBrokerConfigRunsOnTheDefaultBrokers() throws Exception {
        assertThat(scenario("{\"name\": \"a\", \"steps\": []}").brokerConfig()).isEmpty();
    }

    @Test
    void brokerConfigValuesAreReadAsText() throws Exception {
        Scenario scenario = scenario("{\"name\": \"a\", \"brokerConfig\": {\"allow.everyone.if.no.acl.found\": true,"
                + " \"authorizer.class.name\": \"x.Y\", \"num.partitions\": 3}, \"steps\": []}");

        assertThat(scenario.brokerConfig()).containsExactly(Map.entry("allow.everyone.if.no.acl.found", "true"),
                Map.entry("authorizer.class.name", "x.Y"), Map.entry("num.partitions", "3"));
    }

    @Test
    void aBrokerConfigThatIsNoValueIsRefused() {
        assertThatThrownBy(() -> scenario("{\"name\": \"a\", \"brokerConfig\": {\"x\": {}}, \"steps\": []}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brokerConfig x");
        assertThatThrownBy(() -> scenario("{\"name\": \"a\", \"brokerConfig\": {\"x\": null}, \"steps\": []}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scenariosAreGroupedByBrokerConfigTheDefaultsFirst() {
        Map<String, String> acl = Map.of("authorizer.class.name", "x.Y");
        Map<String, String> other = Map.of("num.partitions", "3");
        Scenario a = named("a", acl);
        Scenario b = named("b", Map.of());
        Scenario c = named("c", other);
        Scenario d = named("d", Map.of("authorizer.class.name", "x.Y"));
        Scenario e = named("e", Map.of());

        Map<Map<String, String>, List<Scenario>> groups = Scenario.byBrokerConfig(List.of(a, b, c, d, e));

        assertThat(groups.keySet()).containsExactly(Map.of(), acl, other);
        assertThat(groups.get(Map.of())).containsExactly(b, e);
        assertThat(groups.get(acl)).containsExactly(a, d);
        assertThat(groups.get(other)).containsExactly(c);
    }

    @Test
    void aCorpusOfDefaultScenariosIsOneGroup() {
        Scenario a = named("a", Map.of());
        Scenario b = named("b", Map.of());

        assertThat(Scenario.byBrokerConfig(List.of(a, b))).containsExactly(Map.entry(Map.of(), List.of(a, b)));
    }
}
