#!/usr/bin/python3
"""Debian's python3-confluent-kafka, unchanged, on kfk's librdkafka.so.1
(LD_LIBRARY_PATH): an oauth_cb giving unsecured tokens to the secured
broker's OAUTHBEARER listener (KFK_BOOTSTRAP_SASL_PLAINTEXT); 100 messages
produced and consumed back, the callback called for each client."""
import base64
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, libversion

COUNT = 100


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


calls = []


def oauth_cb(config):
    calls.append(config)
    expiry = time.time() + 60
    claims = {"sub": "alice", "iat": int(time.time()), "exp": int(expiry)}
    token = b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims).encode()) + "."
    return token, expiry


def main():
    if "kfk" not in libversion()[0]:
        sys.exit("python_oauth: librdkafka.so.1 is %s, not kfk's" % libversion()[0])
    conf = {"bootstrap.servers": os.environ["KFK_BOOTSTRAP_SASL_PLAINTEXT"],
            "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "OAUTHBEARER",
            "oauth_cb": oauth_cb}
    topic = "py-oauth-%d-%d" % (os.getpid(), int(time.time()))
    producer = Producer(conf)
    producer.poll(1)  # serves the first token refresh, as the binding asks
    delivered = []
    for i in range(COUNT):
        producer.produce(topic, b"v%d" % i,
                         on_delivery=lambda err, msg: delivered.append(err is None))
    producer.flush(60)
    produced_calls = len(calls)
    consumer = Consumer(dict(conf, **{"group.id": topic, "auto.offset.reset": "earliest"}))
    consumer.subscribe([topic])
    got = 0
    end = time.time() + 60
    while got < COUNT and time.time() < end:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            got += 1
    consumer.close()
    print("python_oauth: %d delivered, %d consumed, oauth_cb called %d + %d times"
          % (delivered.count(True), got, produced_calls, len(calls) - produced_calls))
    ok = delivered.count(True) == COUNT and got == COUNT and produced_calls >= 1 \
        and len(calls) > produced_calls
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
