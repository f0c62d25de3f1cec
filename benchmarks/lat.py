#!/usr/bin/env python
"""inproc PAIR ping-pong latency.

The main thread sends a message and waits for the echo from a second thread,
timing each round trip with time.perf_counter_ns(). One-way latency is half a
round trip; the mean and the 99th percentile are reported. (REQ/REP are not
available yet, hence PAIR.)

    python benchmarks/lat.py --impl zmqcore --size 64 --count 20000
    python benchmarks/lat.py --impl zmq --size 1 --count 20000 --json
"""

import argparse
import json
import threading
import time

import _common


def _percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n*q/100), >= 1
    return sorted_values[int(rank) - 1]


def run(zmq, size, count, warmup=None, copy=True):
    if count < 1:
        raise ValueError("count must be >= 1")
    if warmup is None:
        warmup = min(1000, max(10, count // 20))
    ctx = zmq.Context()
    a = ctx.socket(zmq.PAIR)
    b = ctx.socket(zmq.PAIR)
    endpoint = "inproc://zmqcore-bench-lat"
    a.bind(endpoint)
    b.connect(endpoint)
    total = warmup + count
    errors = []

    def echo():
        try:
            recv, send = b.recv, b.send
            for _ in range(total):
                send(recv(copy=copy), copy=copy)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)

    t = threading.Thread(target=echo, name="lat-echo", daemon=True)
    t.start()
    payload = b"\xa5" * size
    send, recv, clock = a.send, a.recv, time.perf_counter_ns
    for _ in range(warmup):
        send(payload, copy=copy)
        recv(copy=copy)
    samples = [0] * count
    for i in range(count):
        t0 = clock()
        send(payload, copy=copy)
        reply = recv(copy=copy)
        samples[i] = clock() - t0
    t.join()
    if errors:
        raise errors[0]
    if len(reply) != size:
        raise RuntimeError("echo size mismatch: %d != %d" % (len(reply), size))
    a.close(linger=0)
    b.close(linger=0)
    ctx.term()
    samples.sort()
    one_way_us = [s / 2000.0 for s in samples]  # ns round trip -> us one way
    return {
        "bench": "lat",
        "size": size,
        "count": count,
        "copy": copy,
        "mean_us": sum(one_way_us) / count,
        "p50_us": _percentile(one_way_us, 50),
        "p99_us": _percentile(one_way_us, 99),
        "max_us": one_way_us[-1],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--count", type=int, default=20_000, help="timed round trips")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed round trips first (default: 5%%, 10..1000)")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    result = run(zmq, args.size, args.count, warmup=args.warmup, copy=args.copy)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("message size: %d [B]  round trips: %d  copy: %s"
              % (args.size, args.count, args.copy))
        print("mean one-way latency: %.3f [us]" % result["mean_us"])
        print("p50  one-way latency: %.3f [us]" % result["p50_us"])
        print("p99  one-way latency: %.3f [us]" % result["p99_us"])


if __name__ == "__main__":
    main()
