package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShareKeysTest {

    @Test
    void aKeyIsGroupTopicIdAndPartition() {
        assertThat(ShareKeys.isValid("g:AAAAAF7tXu0AAAAAXu1e7Q:0")).isTrue();
        assertThat(ShareKeys.isValid("a:b:AAAAAF7tXu0AAAAAXu1e7Q:12")).as("the group id may hold colons").isTrue();
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(ShareKeys.isValid("")).isFalse();
        assertThat(ShareKeys.isValid("g")).isFalse();
        assertThat(ShareKeys.isValid("g:AAAAAF7tXu0AAAAAXu1e7Q")).isFalse();
        assertThat(ShareKeys.isValid("g:AAAAAF7tXu0AAAAAXu1e7Q:")).as("no partition").isFalse();
        assertThat(ShareKeys.isValid(" :AAAAAF7tXu0AAAAAXu1e7Q:0")).as("a blank group id").isFalse();
        assertThat(ShareKeys.isValid("g:not-a-uuid:0")).isFalse();
        assertThat(ShareKeys.isValid("g:AAAAAF7tXu0AAAAAXu1e7Q:x")).isFalse();
    }
}
