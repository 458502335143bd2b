/*
 * A share group member (KIP-932) on librdkafka's share consumer, for ShareGroupIT-style tests.
 *
 * Usage: share_consumer <bootstrap> <group> <topic> <accept-count> <release-count>
 *
 * Explicit acknowledgement: the first <release-count> records delivered for the first time are
 * acknowledged RELEASE, every other record ACCEPT, and each poll's acknowledgements are committed
 * with rd_kafka_share_commit_sync before the next poll. Prints one line per record,
 * "RECORD <value> <delivery count> <ACCEPT|RELEASE>", and exits 0 once <accept-count> records are
 * accepted and the consumer has closed; 2 if that takes more than 30 seconds; 1 on an error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdkafka.h"

static int fail(const char *what, const char *detail) {
        fprintf(stderr, "%s: %s\n", what, detail);
        return 1;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
        char errstr[512];
        if (argc != 6)
                return fail("usage", "share_consumer <bootstrap> <group> <topic> <accept-count> <release-count>");
        int accept_target = atoi(argv[4]);
        int release_left = atoi(argv[5]);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof(errstr)) ||
            rd_kafka_conf_set(conf, "group.id", argv[2], errstr, sizeof(errstr)) ||
            rd_kafka_conf_set(conf, "share.acknowledgement.mode", "explicit", errstr, sizeof(errstr)))
                return fail("config", errstr);
        rd_kafka_share_t *share = rd_kafka_share_consumer_new(conf, errstr, sizeof(errstr));
        if (!share)
                return fail("share consumer", errstr);

        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, argv[3], RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_share_subscribe(share, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err)
                return fail("subscribe", rd_kafka_err2str(err));

        int accepted = 0;
        int64_t deadline = now_ms() + 30000;
        while (accepted < accept_target && now_ms() < deadline) {
                rd_kafka_messages_t *batch = NULL;
                rd_kafka_error_t *error = rd_kafka_share_poll(share, 200, &batch);
                if (error) {
                        fprintf(stderr, "poll: %s\n", rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        continue;
                }
                size_t count = rd_kafka_messages_count(batch);
                for (size_t i = 0; i < count; i++) {
                        rd_kafka_message_t *m = rd_kafka_messages_get(batch, i);
                        if (m->err) {
                                fprintf(stderr, "record error: %s\n", rd_kafka_message_errstr(m));
                                continue;
                        }
                        int16_t delivery_count = rd_kafka_message_delivery_count(m);
                        int release = release_left > 0 && delivery_count == 1;
                        err = rd_kafka_share_acknowledge_type(
                            share, m,
                            release ? RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE : RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT);
                        if (err)
                                return fail("acknowledge", rd_kafka_err2str(err));
                        printf("RECORD %.*s %d %s\n", (int)m->len, (const char *)m->payload, delivery_count,
                               release ? "RELEASE" : "ACCEPT");
                        if (release)
                                release_left--;
                        else
                                accepted++;
                }
                rd_kafka_messages_destroy(batch);
                if (count > 0) {
                        rd_kafka_topic_partition_list_t *results = NULL;
                        error = rd_kafka_share_commit_sync(share, 10000, &results);
                        if (error)
                                return fail("commit", rd_kafka_error_string(error));
                        for (int i = 0; results && i < results->cnt; i++)
                                if (results->elems[i].err)
                                        return fail("commit", rd_kafka_err2str(results->elems[i].err));
                        if (results)
                                rd_kafka_topic_partition_list_destroy(results);
                }
                fflush(stdout);
        }

        rd_kafka_error_t *error = rd_kafka_share_consumer_close(share);
        if (error)
                return fail("close", rd_kafka_error_string(error));
        error = rd_kafka_share_destroy(share);
        if (error)
                rd_kafka_error_destroy(error);
        return accepted >= accept_target ? 0 : 2;
}
