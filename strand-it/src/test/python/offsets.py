"""Offset lookups of confluent-kafka-python's consumer (ListOffsets): the watermarks of one
partition and the earliest offset at or after each given timestamp.

Usage:
  offsets.py BOOTSTRAP TOPIC PARTITION TIMESTAMP_MS [TIMESTAMP_MS ...]

Prints {"low", "high", "offsets_for_times": [{"timestamp", "offset", "error"}...]} on stdout.
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition

TIMEOUT_S = 20


def main(argv):
    bootstrap, topic, partition = argv[1], argv[2], int(argv[3])
    timestamps = [int(arg) for arg in argv[4:]]
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "unused-offset-lookups",
        "enable.auto.commit": False,
    })
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=TIMEOUT_S, cached=False)
    by_time = []
    for timestamp in timestamps:
        # offsets_for_times takes the timestamp in the offset field and answers with the offset
        [answer] = consumer.offsets_for_times([TopicPartition(topic, partition, timestamp)], timeout=TIMEOUT_S)
        by_time.append({"timestamp": timestamp, "offset": answer.offset,
                        "error": None if answer.error is None else answer.error.str()})
    consumer.close()
    print(json.dumps({"low": low, "high": high, "offsets_for_times": by_time}))


if __name__ == "__main__":
    main(sys.argv)
