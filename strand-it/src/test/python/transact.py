"""Transactional producer of confluent-kafka-python (librdkafka): one transaction of COUNT records to one
partition, committed or aborted.

Usage:
  transact.py BOOTSTRAP TOPIC PARTITION TRANSACTIONAL_ID commit|abort PREFIX COUNT

Record i has value "PREFIX-i". Prints {"outcome": "commit"|"abort", "sent": COUNT} on stdout once
commit_transaction or abort_transaction returned; any error ends the script with a traceback.
"""
import json
import sys

from confluent_kafka import Producer

TIMEOUT_S = 20


def main(argv):
    bootstrap, topic, partition, transactional_id, outcome, prefix, count = (
        argv[1], argv[2], int(argv[3]), argv[4], argv[5], argv[6], int(argv[7]))
    if outcome not in ("commit", "abort"):
        raise SystemExit("outcome must be commit or abort, not " + outcome)
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": transactional_id,
        "transaction.timeout.ms": 60000,
        "linger.ms": 5,
    })
    producer.init_transactions(TIMEOUT_S)
    producer.begin_transaction()
    for i in range(count):
        producer.produce(topic, value=("%s-%d" % (prefix, i)).encode(), partition=partition)
    if outcome == "commit":
        producer.commit_transaction(TIMEOUT_S)
    else:
        producer.flush(TIMEOUT_S)  # the records reach the log, then the abort marker hides them
        producer.abort_transaction(TIMEOUT_S)
    print(json.dumps({"outcome": outcome, "sent": count}))


if __name__ == "__main__":
    main(sys.argv)
