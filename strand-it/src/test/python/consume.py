"""Consumer of confluent-kafka-python with a manual assignment (no group membership, no commits):
reads COUNT records of one partition starting at OFFSET.

Usage:
  consume.py BOOTSTRAP TOPIC PARTITION OFFSET COUNT

Prints {"records": [{"offset", "key", "value", "headers", "timestamp_type", "timestamp"}...],
"errors": [...]} on stdout; stops at COUNT records or after 20 s.
"""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition

TIMEOUT_S = 20


def text(raw):
    return None if raw is None else raw.decode()


def main(argv):
    bootstrap, topic, partition, offset, count = argv[1], argv[2], int(argv[3]), int(argv[4]), int(argv[5])
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        # the python binding insists on a group id; it is never joined nor committed to
        "group.id": "unused-assign-only",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
    })
    consumer.assign([TopicPartition(topic, partition, offset)])
    records = []
    errors = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(records) < count and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error() is not None:
            errors.append(msg.error().str())
            continue
        timestamp_type, timestamp = msg.timestamp()
        records.append({
            "offset": msg.offset(),
            "key": text(msg.key()),
            "value": text(msg.value()),
            "headers": [[k, text(v)] for k, v in (msg.headers() or [])],
            "timestamp_type": timestamp_type,
            "timestamp": timestamp,
        })
    consumer.close()
    print(json.dumps({"records": records, "errors": errors}))


if __name__ == "__main__":
    main(sys.argv)
