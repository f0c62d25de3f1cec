"""libzmq's local_thr / remote_thr / local_lat / remote_lat, for runs between
two machines (benchmarks/local_thr.py and friends call these).

Each takes libzmq's arguments, <address> <message-size> <count>, and
--impl zmqcore|zmq to pick the implementation (imported here by name). The two
ends may differ, and either may be libzmq's own program: the throughput pair
is PUSH -> PULL, the latency pair REQ -> REP, as in libzmq (give both latency
ends --warmup 0 then: by default they do one untimed round trip first).

    local_thr.py <bind-to> <message-size> <message-count>
    remote_thr.py <connect-to> <message-size> <message-count>
    local_lat.py <bind-to> <message-size> <roundtrip-count>
    remote_lat.py <connect-to> <message-size> <roundtrip-count>

Start the local_ end first. It waits for the first message as long as it takes
(Ctrl-C to stop); after that a gap of --timeout seconds ends the run.
"""

import argparse
import importlib
import json
import sys
import time

from zmqcore.perf import harness as h, lat, thr

DOCS = {
    "local_thr": """The receiving, timing end of the two-host throughput test.

Binds a PULL socket to <bind-to>, receives <message-count> messages of
<message-size> bytes from remote_thr and prints what libzmq's local_thr
prints: the message size and count, then the mean throughput in messages per
second and in megabits per second, measured from the first message received to
the last ((count - 1) / elapsed; libzmq divides count by the same interval).

    python benchmarks/local_thr.py tcp://*:5555 64 1000000
    python benchmarks/local_thr.py ipc:///tmp/thr.ipc 1024 200000 --impl zmq""",
    "remote_thr": """The sending end of the two-host throughput test.

Connects a PUSH socket to <connect-to> (where local_thr is bound), sends
<message-count> messages of <message-size> bytes as fast as it can, stays
connected for --hold seconds (so that the last messages are not raced by the
disconnect) and exits once they are delivered; like libzmq's remote_thr it
prints nothing. If the receiver takes nothing for --timeout seconds (HWM
reached and no progress), the run is abandoned.

    python benchmarks/remote_thr.py tcp://127.0.0.1:5555 64 1000000""",
    "local_lat": """The echoing end of the two-host latency test.

Binds a REP socket to <bind-to>, sends back each of the <roundtrip-count> +
--warmup requests that remote_lat sends, stays connected for --hold seconds so
that the last reply is not raced by the disconnect, then exits; like libzmq's
local_lat it prints nothing. With libzmq's own remote_lat, give --warmup 0.

    python benchmarks/local_lat.py tcp://*:5556 64 100000""",
    "remote_lat": """The pinging, timing end of the two-host latency test.

Connects a REQ socket to <connect-to> (where local_lat is bound), does
<roundtrip-count> round trips of <message-size> bytes, timing each, and prints
what libzmq's remote_lat prints: the message size, the round-trip count and the
average one-way latency (half the mean round trip) in microseconds. Unlike
libzmq, --warmup untimed round trips (default 1) come first, so that waiting
for the other end to start and connect is not averaged in (give local_lat the
same --warmup; 0 for libzmq's own local_lat). --json adds p50, p99 and p99.9.

    python benchmarks/remote_lat.py tcp://127.0.0.1:5556 64 100000""",
}


def _parse(name, argv):
    doc = DOCS[name]
    parser = argparse.ArgumentParser(
        prog=name + ".py", description=doc.split("\n\n")[0],
        epilog=doc.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    local = name.startswith("local_")
    parser.add_argument("address", metavar="bind-to" if local else "connect-to",
                        help="endpoint, e.g. tcp://*:5555, tcp://host:5555, "
                             "ipc:///tmp/bench.ipc")
    parser.add_argument("size", metavar="message-size", type=int,
                        help="bytes per message")
    parser.add_argument("count", type=int, metavar="message-count"
                        if name.endswith("thr") else "roundtrip-count")
    parser.add_argument("--impl", choices=("zmqcore", "zmq"), default="zmqcore",
                        help="implementation (zmq = pyzmq)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON line instead of libzmq's summary")
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    parser.add_argument("--timeout", type=float, default=h.DEFAULT_TIMEOUT,
                        help="seconds a blocked send/recv may wait once the run "
                             "is going, 0 = forever (default %(default)s)")
    if name.endswith("_lat"):
        parser.add_argument("--warmup", type=int, default=1,
                            help="untimed round trips first (default %(default)s; "
                                 "the same at both ends)")
    if name in ("remote_thr", "local_lat"):  # the ends that send last
        parser.add_argument("--hold", type=float, default=1.0,
                            help="seconds to stay connected after the last "
                                 "message before closing (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        zmq = importlib.import_module(args.impl)
    except ImportError as exc:
        _fail(args, "cannot import %s: %s" % (args.impl, exc), 2)
    return args, zmq


def _fail(args, message, code=1):
    if args.json:
        print(json.dumps({"impl": args.impl, "error": message}))
    else:
        print("error: " + message, file=sys.stderr)
    sys.exit(code)


def _hold(args):
    return (lambda: time.sleep(args.hold)) if args.hold > 0 else None


def _main(name, body, argv):
    args, zmq = _parse(name, argv)
    try:
        result = body(zmq, args)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _fail(args, "%s: %s" % (type(exc).__name__, exc))
    if result is None:
        return
    if args.json:
        result["impl"] = args.impl
        print(json.dumps(result))
        return
    print("message size: %d [B]" % args.size)
    if name == "local_thr":
        print("message count: %d" % args.count)
        print("mean throughput: %d [msg/s]" % int(result["msgs_per_s"]))
        print("mean throughput: %.3f [Mb/s]"
              % (result["msgs_per_s"] * args.size * 8 / 1e6))
    else:
        print("roundtrip count: %d" % args.count)
        print("average latency: %.3f [us]" % result["mean_us"])


def local_thr(argv=None):
    _main("local_thr", lambda zmq, a: thr.receiver(
        zmq, a.address, a.size, a.count, bind=True, copy=a.copy, timeout=a.timeout,
        first_timeout=None), argv)


def remote_thr(argv=None):
    _main("remote_thr", lambda zmq, a: thr.sender(
        zmq, a.address, a.size, a.count, bind=False, copy=a.copy, timeout=a.timeout,
        first_timeout=None, before_close=_hold(a)), argv)


def local_lat(argv=None):
    _main("local_lat", lambda zmq, a: lat.echo(
        zmq, a.address, a.count + a.warmup, size=a.size, bind=True, copy=a.copy,
        timeout=a.timeout, first_timeout=None, before_close=_hold(a)), argv)


def remote_lat(argv=None):
    _main("remote_lat", lambda zmq, a: lat.pinger(
        zmq, a.address, a.size, a.count, warmup=a.warmup, bind=False, copy=a.copy,
        timeout=a.timeout, first_timeout=None), argv)
