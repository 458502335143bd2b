"""Group member of confluent-kafka-python that reads TOPIC in GROUP until it is killed, committing
synchronously after every batch the offset after the last record read of each partition in it.

Usage:
  group_commit_loop.py BOOTSTRAP TOPIC GROUP

Prints one line per event on stdout, flushed at once:
  READ p first last        offsets first..last of partition p were read (a run without gaps)
  COMMIT id p:o,p:o ...    commit id is about to be sent with these offsets
  ACKED id                 commit id returned without an error for any partition
  FAILED id error          commit id raised, or returned an error for a partition
"""
import sys

from confluent_kafka import Consumer, KafkaException, TopicPartition


def runs(messages):
    """(partition, first, last) for each run of consecutive offsets of one partition."""
    result = []
    for msg in messages:
        p, o = msg.partition(), msg.offset()
        if result and result[-1][0] == p and result[-1][2] + 1 == o:
            result[-1][2] = o
        else:
            result.append([p, o, o])
    return result


def main(argv):
    bootstrap, topic, group = argv[1], argv[2], argv[3]
    sys.stdout.reconfigure(line_buffering=True)
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 10000,
        "reconnect.backoff.max.ms": 500,
    })
    consumer.subscribe([topic])
    commit_id = 0
    while True:
        messages = [m for m in consumer.consume(num_messages=100, timeout=0.2) if m.error() is None]
        if not messages:
            continue
        next_offsets = {}
        for p, first, last in runs(messages):
            print("READ %d %d %d" % (p, first, last))
            next_offsets[p] = last + 1
        commit_id += 1
        print("COMMIT %d %s" % (commit_id, ",".join("%d:%d" % po for po in sorted(next_offsets.items()))))
        try:
            answer = consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in sorted(next_offsets.items())],
                                     asynchronous=False)
            errors = [tp.error.str() for tp in answer if tp.error is not None]
            if errors:
                print("FAILED %d %s" % (commit_id, errors[0]))
            else:
                print("ACKED %d" % commit_id)
        except KafkaException as e:
            print("FAILED %d %s" % (commit_id, e))


if __name__ == "__main__":
    main(sys.argv)
