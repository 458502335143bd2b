"""confluent-kafka-python over TLS: produces COUNT records to partition 0 of TOPIC, then reads them back.

Usage:
  tls_roundtrip.py BOOTSTRAP TOPIC COUNT CA_PEM [CERT_PEM KEY_PEM]

The broker's certificate is checked against CA_PEM (and its host name, librdkafka's default); with
CERT_PEM and KEY_PEM the client presents that certificate (mutual TLS). Record i has value "tls-i"
padded to 1 KiB, so the records span several fetch chunks. Prints {"delivered": n, "errors": [...],
"values": [first 20 characters of each value read, in offset order]}.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

TIMEOUT_S = 20


def main(argv):
    bootstrap, topic, count, ca = argv[1], argv[2], int(argv[3]), argv[4]
    tls = {"bootstrap.servers": bootstrap, "security.protocol": "ssl", "ssl.ca.location": ca}
    if len(argv) > 6:
        tls["ssl.certificate.location"] = argv[5]
        tls["ssl.key.location"] = argv[6]
    errors = []
    delivered = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err.str())
        else:
            delivered.append(msg.offset())

    producer = Producer(dict(tls, **{"acks": "all", "linger.ms": 5, "error_cb": lambda e: errors.append(e.str())}))
    for i in range(count):
        producer.produce(topic, value=("tls-%d " % i).ljust(1024, "x").encode(), partition=0, on_delivery=on_delivery)
    producer.flush(TIMEOUT_S)

    consumer = Consumer(dict(tls, **{"group.id": "tls-roundtrip", "enable.auto.commit": False,
                                     "error_cb": lambda e: errors.append(e.str())}))
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    while len(values) < count:
        msg = consumer.poll(TIMEOUT_S)
        if msg is None:
            errors.append("no record within %d s after %d" % (TIMEOUT_S, len(values)))
            break
        if msg.error() is not None:
            errors.append(msg.error().str())
            continue
        values.append(msg.value().decode()[:20].rstrip("x").strip())
    consumer.close()
    print(json.dumps({"delivered": len(delivered), "errors": errors, "values": values}))


if __name__ == "__main__":
    main(sys.argv)
