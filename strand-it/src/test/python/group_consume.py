"""Group member of confluent-kafka-python: subscribes to TOPIC in GROUP, reads at most MAX records
(or, with MAX = -1, until every assigned partition is at its end), commits the position after the
last record read of each partition synchronously, and closes (leaving the group).

Usage:
  group_consume.py BOOTSTRAP TOPIC GROUP MAX

Prints {"records": [{"partition", "offset", "value"}...], "committed": [{"partition", "offset"}...],
"assigned": [partition...], "errors": [...]} on stdout; gives up after 30 s.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

TIMEOUT_S = 30


def main(argv):
    bootstrap, topic, group, limit = argv[1], argv[2], argv[3], int(argv[4])
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "session.timeout.ms": 10000,
    })
    assigned = set()
    at_end = set()

    def on_assign(_, partitions):
        assigned.update(p.partition for p in partitions)

    consumer.subscribe([topic], on_assign=on_assign)
    records = []
    errors = []
    next_offsets = {}
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if limit >= 0 and len(records) >= limit:
            break
        if limit < 0 and assigned and at_end >= assigned:
            break
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
            else:
                errors.append(msg.error().str())
            continue
        at_end.discard(msg.partition())
        records.append({"partition": msg.partition(), "offset": msg.offset(), "value": msg.value().decode()})
        next_offsets[msg.partition()] = msg.offset() + 1
    committed = []
    if next_offsets:
        answer = consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in sorted(next_offsets.items())],
                                 asynchronous=False)
        for tp in answer:
            if tp.error is not None:
                errors.append(tp.error.str())
            committed.append({"partition": tp.partition, "offset": tp.offset})
    consumer.close()
    print(json.dumps({"records": records, "committed": committed, "assigned": sorted(assigned),
                      "errors": errors}))


if __name__ == "__main__":
    main(sys.argv)
