#!/usr/bin/env python
"""libzmq's local_thr for zmqcore and pyzmq: the receiving, timing end of the
two-host throughput test.

    local_thr.py <bind-to> <message-size> <message-count> [--impl zmqcore|zmq]

Binds a PULL socket to <bind-to>, receives <message-count> messages of
<message-size> bytes from remote_thr.py and prints what libzmq's local_thr
prints: the message size and count, then the mean throughput in messages per
second and in megabits per second, measured from the first message received to
the last ((count - 1) / elapsed, thr.py's formula; libzmq divides count by the
same interval). Start it first, then on the other host:

    remote_thr.py <connect-to> <message-size> <message-count> [--impl ...]

with the same size and count. The two ends may use different --impl (they
interoperate over tcp/ipc, not inproc). It waits for the first message as long
as it takes (Ctrl-C to stop); after that a gap of --timeout seconds ends the run.

    python benchmarks/local_thr.py tcp://*:5555 64 1000000
    python benchmarks/local_thr.py ipc:///tmp/thr.ipc 1024 200000 --impl zmq
"""

import json
import sys

import _common
import thr


def main(argv=None):
    parser = _common.two_host_parser(__doc__, "bind-to", "message-count")
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    try:
        result = thr.receiver(zmq, args.address, args.size, args.count, bind=True,
                              copy=args.copy, timeout=args.timeout, first_timeout=None)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _common.exit_failed(args, exc)
    if args.json:
        result["impl"] = args.impl
        print(json.dumps(result))
        return
    print("message size: %d [B]" % args.size)
    print("message count: %d" % args.count)
    print("mean throughput: %d [msg/s]" % int(result["msgs_per_s"]))
    print("mean throughput: %.3f [Mb/s]" % (result["msgs_per_s"] * args.size * 8 / 1e6))


if __name__ == "__main__":
    main()
