#!/usr/bin/env python3
"""A producer on librdkafka (python3-confluent-kafka), idempotent with acks=all, that sends
<name>#<seq> round-robin over a topic's partitions at a bounded rate and writes one JSON line per
send and per outcome to standard output:

  {"event": "send", "seq": 7, "partition": 1, "atMs": 1733430000123}
  {"event": "ack", "seq": 7, "offset": 42, "atMs": 1733430000130}   (offset -1: not known)
  {"event": "fail", "seq": 7, "error": "...", "atMs": 1733430000130}

It stops sending when standard input closes, waits up to --flush-seconds for outstanding answers,
prints {"event": "done"} and exits; a send with no answer line is unknown."""
import argparse
import json
import sys
import threading
import time

from confluent_kafka import Producer


def now_ms():
    return int(time.time() * 1000)


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--max-pending", type=int, default=200)
    parser.add_argument("--flush-seconds", type=int, default=60)
    args = parser.parse_args()

    stopping = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        stopping.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "client.id": args.name,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": 60000,
        "request.timeout.ms": 10000,
        "retry.backoff.ms": 50,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        # librdkafka's idempotence decisions (epoch bumps, duplicate and out-of-order answers, drains)
        # and failed message sets, on standard error: the run keeps them to explain an anomaly
        "debug": "eos,msg",
    })

    def answer(seq):
        def on_delivery(err, msg):
            if err is None:
                # librdkafka gives no offset for a retried batch the broker had already written
                offset = msg.offset()
                emit({"event": "ack", "seq": seq, "offset": -1 if offset is None or offset < 0 else offset,
                      "atMs": now_ms()})
            else:
                text = str(err).replace('"', "'").replace("\\", "/")
                emit({"event": "fail", "seq": seq, "error": text, "atMs": now_ms()})
        return on_delivery

    interval = 1.0 / args.rate
    next_send = time.monotonic()
    seq = 0
    while not stopping.is_set():
        if len(producer) >= args.max_pending:
            producer.poll(0.05)
            continue
        # poll returns once it has served a callback: poll again until the send is due
        while True:
            delay = next_send - time.monotonic()
            if delay <= 0:
                break
            producer.poll(delay)
        next_send = max(next_send, time.monotonic()) + interval
        partition = seq % args.partitions
        emit({"event": "send", "seq": seq, "partition": partition, "atMs": now_ms()})
        try:
            producer.produce(args.topic, value=("%s#%d" % (args.name, seq)).encode(), partition=partition,
                             on_delivery=answer(seq))
        except Exception as e:  # BufferError, KafkaException: the send failed at once
            text = str(e).replace('"', "'").replace("\\", "/")
            emit({"event": "fail", "seq": seq, "error": text, "atMs": now_ms()})
        seq += 1
        producer.poll(0)
    producer.flush(args.flush_seconds)
    emit({"event": "done"})


if __name__ == "__main__":
    main()
