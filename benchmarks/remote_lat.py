#!/usr/bin/env python
"""libzmq's remote_lat for zmqcore and pyzmq: the pinging, timing end of the
two-host latency test.

    remote_lat.py <connect-to> <message-size> <roundtrip-count> [--impl zmqcore|zmq]

Connects a PAIR socket to <connect-to> (where local_lat.py is bound), does
<roundtrip-count> round trips of <message-size> bytes, timing each, and prints
what libzmq's remote_lat prints: the message size, the round-trip count and the
average one-way latency (half the mean round trip) in microseconds. Unlike
libzmq, one untimed round trip comes first (local_lat.py echoes
<roundtrip-count> + 1 messages), so that waiting for the other end to start and
connect is not averaged in; start local_lat.py first anyway. (For the median
and the 99th percentile as well, use --json.)

    python benchmarks/remote_lat.py tcp://127.0.0.1:5556 64 100000
"""

import json
import sys

import _common
import lat


def main(argv=None):
    parser = _common.two_host_parser(__doc__, "connect-to", "roundtrip-count")
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    try:
        result = lat.pinger(zmq, args.address, args.size, args.count, warmup=1,
                            bind=False, copy=args.copy, timeout=args.timeout,
                            first_timeout=None)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _common.exit_failed(args, exc)
    if args.json:
        result["impl"] = args.impl
        print(json.dumps(result))
        return
    print("message size: %d [B]" % args.size)
    print("roundtrip count: %d" % args.count)
    print("average latency: %.3f [us]" % result["mean_us"])


if __name__ == "__main__":
    main()
