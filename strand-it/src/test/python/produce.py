"""Idempotent producer of confluent-kafka-python: produces COUNT records to one partition and
reports every delivery.

Usage:
  produce.py BOOTSTRAP TOPIC PARTITION COUNT BASE_TIMESTAMP_MS

Record i has key "key-i", value "value-i", header ("seq", "i") and timestamp BASE + i * 1000.
Prints {"delivered": [{"key", "partition", "offset"}...] in delivery order, "errors": [...],
"eos": librdkafka's idempotence statistics} on stdout.
"""
import json
import sys

from confluent_kafka import Producer

TIMEOUT_S = 20


def main(argv):
    bootstrap, topic, partition, count, base_timestamp_ms = (
        argv[1], argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    delivered = []
    errors = []
    stats = {}

    def on_delivery(err, msg):
        if err is not None:
            errors.append({"key": msg.key().decode(), "error": err.str()})
        else:
            delivered.append({"key": msg.key().decode(), "partition": msg.partition(), "offset": msg.offset()})

    def on_stats(stats_json):
        stats["eos"] = json.loads(stats_json).get("eos")

    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "statistics.interval.ms": 100,
        "stats_cb": on_stats,
    })
    for i in range(count):
        producer.produce(topic, partition=partition, key="key-%d" % i, value="value-%d" % i,
                         headers=[("seq", str(i))], timestamp=base_timestamp_ms + i * 1000,
                         on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    # one more statistics round, taken after every delivery
    producer.poll(0.3)
    print(json.dumps({"delivered": delivered, "errors": errors, "undelivered": remaining,
                      "eos": stats.get("eos")}))


if __name__ == "__main__":
    main(sys.argv)
