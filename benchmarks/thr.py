#!/usr/bin/env python
"""inproc PUSH -> PULL throughput.

A sender thread pushes --count messages of --size bytes; the main thread pulls them
and times the interval from the first message received to the last (so connection
set-up and thread start are excluded), like libzmq's local_thr.

    python benchmarks/thr.py --impl zmqcore --size 64 --count 1000000
    python benchmarks/thr.py --impl zmq --size 1048576 --count 2000 --no-copy --json
"""

import argparse
import json
import threading
import time

import _common


def run(zmq, size, count, copy=True, hwm=None):
    if count < 2:
        raise ValueError("count must be >= 2 (timing starts at the first message)")
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    if hwm is not None:
        pull.rcvhwm = hwm
        push.sndhwm = hwm
    endpoint = "inproc://zmqcore-bench-thr"
    pull.bind(endpoint)
    push.connect(endpoint)
    payload = b"\x5a" * size
    errors = []

    def sender():
        try:
            send = push.send
            if copy:
                for _ in range(count):
                    send(payload)
            else:
                for _ in range(count):
                    send(payload, copy=False)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)

    t = threading.Thread(target=sender, name="thr-sender", daemon=True)
    t.start()
    recv = pull.recv
    first = recv(copy=copy)
    start = time.perf_counter()
    if copy:
        for _ in range(count - 2):
            recv()
    else:
        for _ in range(count - 2):
            recv(copy=False)
    last = recv(copy=copy)
    elapsed = time.perf_counter() - start
    t.join()
    if errors:
        raise errors[0]
    if len(first) != size or len(last) != size:
        raise RuntimeError("message size mismatch: %d/%d != %d"
                           % (len(first), len(last), size))
    push.close(linger=0)
    pull.close(linger=0)
    ctx.term()
    msgs_per_s = (count - 1) / elapsed if elapsed > 0 else float("inf")
    return {
        "bench": "thr",
        "size": size,
        "count": count,
        "copy": copy,
        "elapsed_s": elapsed,
        "msgs_per_s": msgs_per_s,
        "mb_per_s": msgs_per_s * size / 1e6,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _common.add_impl_arg(parser)
    parser.add_argument("--size", type=int, default=64, help="message size in bytes")
    parser.add_argument("--count", type=int, default=1_000_000, help="messages")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    parser.add_argument("--hwm", type=int, default=None,
                        help="SNDHWM/RCVHWM (default: the implementation's, 1000)")
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    result = run(zmq, args.size, args.count, copy=args.copy, hwm=args.hwm)
    result["impl"] = args.impl
    if args.json:
        print(json.dumps(result))
    else:
        print(_common.describe(zmq))
        print("message size: %d [B]  count: %d  copy: %s"
              % (args.size, args.count, args.copy))
        print("elapsed: %.3f [s]" % result["elapsed_s"])
        print("throughput: %.0f [msg/s]" % result["msgs_per_s"])
        print("throughput: %.3f [MB/s]" % result["mb_per_s"])


if __name__ == "__main__":
    main()
