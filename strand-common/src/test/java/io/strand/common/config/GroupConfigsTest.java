package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class GroupConfigsTest {

    private static final GroupConfigs.Bounds KAFKA = GroupConfigs.Bounds.KAFKA_DEFAULTS;

    @Test
    void valuesWithinTheBrokersBoundsPass() {
        GroupConfigs.validate(Map.of("share.auto.offset.reset", "by_duration:PT1H30M",
                "share.record.lock.duration.ms", "15000", "share.delivery.count.limit", "10",
                "share.session.timeout.ms", "60000", "share.heartbeat.interval.ms", "15000",
                "consumer.session.timeout.ms", "50000", "share.isolation.level", "read_uncommitted"), KAFKA);
        GroupConfigs.validate(Map.of("share.auto.offset.reset", "earliest"), KAFKA);
    }

    @Test
    void anUnknownNameOrAValueThatDoesNotParseIsRefusedWithKafkasMessage() {
        assertRefused(Map.of("share.no.such", "1"), "Unknown group config name: share.no.such");
        assertRefused(Map.of("share.auto.offset.reset", "none"), "Invalid value none for configuration "
                + "share.auto.offset.reset: Invalid value `none` for configuration share.auto.offset.reset. The value "
                + "must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.");
        assertRefused(Map.of("share.auto.offset.reset", "by_duration:-PT1H"), "share.auto.offset.reset");
        assertRefused(Map.of("share.record.lock.duration.ms", "soon"), "share.record.lock.duration.ms");
    }

    @Test
    void aValueOutsideTheBrokersRangeNamesTheBoundingProperty() {
        assertRefused(Map.of("share.record.lock.duration.ms", "70000"),
                "share.record.lock.duration.ms must be less than or equal to group.share.max.record.lock.duration.ms");
        assertRefused(Map.of("share.session.timeout.ms", "1000"),
                "share.session.timeout.ms must be greater than or equal to group.share.min.session.timeout.ms");
        assertRefused(Map.of("share.delivery.count.limit", "11"),
                "share.delivery.count.limit must be less than or equal to group.share.max.delivery.count.limit");
        assertRefused(Map.of("consumer.heartbeat.interval.ms", "1"),
                "consumer.heartbeat.interval.ms must be greater than or equal to "
                        + "group.consumer.min.heartbeat.interval.ms");
    }

    @Test
    void aConsumerGroupsAssignmentIntervalIsKeptWithinTheBrokersAssignmentIntervalBounds() {
        GroupConfigs.validate(Map.of("consumer.assignment.interval.ms", "0"), KAFKA);
        GroupConfigs.validate(Map.of("consumer.assignment.interval.ms", "15000"), KAFKA);
        assertRefused(Map.of("consumer.assignment.interval.ms", "15001"),
                "consumer.assignment.interval.ms must be less than or equal to "
                        + "group.consumer.max.assignment.interval.ms");
        assertRefused(Map.of("consumer.assignment.interval.ms", "-1"), "consumer.assignment.interval.ms");
        GroupConfigs.Bounds narrow = new GroupConfigs.Bounds(Map.of(), List.of(new GroupConfigs.Range(
                "consumer.assignment.interval.ms", "group.consumer.min.assignment.interval.ms", 500,
                "group.consumer.max.assignment.interval.ms", 2000)));
        assertThatThrownBy(() -> GroupConfigs.validate(Map.of("consumer.assignment.interval.ms", "100"), narrow))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("consumer.assignment.interval.ms must be "
                        + "greater than or equal to group.consumer.min.assignment.interval.ms");
        assertThat(GroupConfigs.intValue(Map.of("consumer.assignment.interval.ms", "5000"),
                "consumer.assignment.interval.ms", 1000, narrow)).as("the bounds narrowed since").isEqualTo(2000);
    }

    @Test
    void theSessionTimeoutMustExceedTheHeartbeatIntervalCountingTheBrokersValues() {
        GroupConfigs.Bounds wide = new GroupConfigs.Bounds(Map.of("share.session.timeout.ms", "10000"), List.of());
        assertThatThrownBy(() -> GroupConfigs.validate(Map.of("share.heartbeat.interval.ms", "10000"), wide))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("share.session.timeout.ms must be greater than share.heartbeat.interval.ms");
    }

    @Test
    void readCommittedIsAcceptedAndReadBack() {
        GroupConfigs.validate(Map.of("share.isolation.level", "read_committed"), KAFKA);
        assertThat(GroupConfigs.shareReadCommitted(Map.of("share.isolation.level", "read_committed"))).isTrue();
        assertThat(GroupConfigs.shareReadCommitted(Map.of("share.isolation.level", "read_uncommitted"))).isFalse();
        assertThat(GroupConfigs.shareReadCommitted(Map.of())).isFalse();
        assertRefused(Map.of("share.isolation.level", "committed"), "share.isolation.level");
    }

    @Test
    void configsThisBrokerDoesNotActOnAreRefusedNotStored() {
        assertRefused(Map.of("share.renew.acknowledge.enable", "false"), "share.renew.acknowledge.enable=false");
        assertRefused(Map.of("streams.num.standby.replicas", "1"), "no streams groups");
    }

    @Test
    void aShareGroupsAssignmentIntervalIsTakenWithinTheBrokersBounds() {
        GroupConfigs.validate(Map.of("share.assignment.interval.ms", "0"), KAFKA);
        GroupConfigs.validate(Map.of("share.assignment.interval.ms", "15000"), KAFKA);
        assertRefused(Map.of("share.assignment.interval.ms", "15001"), "group.share.max.assignment.interval.ms");
        assertThat(GroupConfigs.intValue(Map.of("share.assignment.interval.ms", "2500"), "share.assignment.interval.ms",
                1_000, KAFKA)).isEqualTo(2_500);
    }

    @Test
    void aGroupValueIsItsOverrideKeptWithinTheBoundsElseTheBrokers() {
        assertThat(GroupConfigs.intValue(Map.of(), "share.session.timeout.ms", 45_000, KAFKA)).isEqualTo(45_000);
        assertThat(GroupConfigs.intValue(Map.of("share.session.timeout.ms", "50000"), "share.session.timeout.ms",
                45_000, KAFKA)).isEqualTo(50_000);
        assertThat(GroupConfigs.intValue(Map.of("share.session.timeout.ms", "90000"), "share.session.timeout.ms",
                45_000, KAFKA)).as("clamped to group.share.max.session.timeout.ms").isEqualTo(60_000);
        assertThat(GroupConfigs.shareAutoOffsetReset(Map.of()).type())
                .isEqualTo(AutoOffsetResetStrategy.StrategyType.LATEST);
        assertThat(GroupConfigs.shareAutoOffsetReset(Map.of("share.auto.offset.reset", "by_duration:PT5M"))
                .duration()).hasValueSatisfying(d -> assertThat(d.toMinutes()).isEqualTo(5));
    }

    @Test
    void everyIntConfigNamesItsBrokerSynonym() {
        assertThat(GroupConfigs.brokerSynonym("share.record.lock.duration.ms"))
                .isEqualTo("group.share.record.lock.duration.ms");
        assertThat(GroupConfigs.brokerSynonym("consumer.session.timeout.ms"))
                .isEqualTo("group.consumer.session.timeout.ms");
        assertThat(GroupConfigs.brokerSynonym("share.auto.offset.reset")).isNull();
    }

    private static void assertRefused(Map<String, String> overrides, String message) {
        assertThatThrownBy(() -> GroupConfigs.validate(overrides, KAFKA))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(message);
    }
}
