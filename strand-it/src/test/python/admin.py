"""AdminClient of confluent-kafka-python: create a topic, or list the cluster's topics.

Usage:
  admin.py BOOTSTRAP create TOPIC PARTITIONS [NAME=VALUE ...]
  admin.py BOOTSTRAP list

Prints one JSON object on stdout; exits non-zero when the operation failed.
"""
import json
import sys

from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 20


def create(admin, topic, partitions, config_args):
    config = dict(arg.split("=", 1) for arg in config_args)
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config)],
        operation_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S)
    futures[topic].result(timeout=TIMEOUT_S)
    return {"created": topic}


def list_topics(admin):
    metadata = admin.list_topics(timeout=TIMEOUT_S)
    return {
        "cluster_id": metadata.cluster_id,
        "controller_id": metadata.controller_id,
        "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in metadata.brokers.values()],
        "topics": {
            name: {
                "error": None if t.error is None else t.error.str(),
                "partitions": sorted(p.id for p in t.partitions.values()),
                "leaders": sorted({p.leader for p in t.partitions.values()}),
            }
            for name, t in metadata.topics.items()
        },
    }


def main(argv):
    admin = AdminClient({"bootstrap.servers": argv[1]})
    command = argv[2]
    if command == "create":
        result = create(admin, argv[3], int(argv[4]), argv[5:])
    elif command == "list":
        result = list_topics(admin)
    else:
        raise SystemExit("unknown command " + command)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
