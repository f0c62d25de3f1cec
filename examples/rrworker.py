#!/usr/bin/env python3
"""Request-reply worker: a REP socket serving requests relayed by the broker
(msgqueue.py).

Connects to the broker's backend (default tcp://localhost:5560), and answers
each "Hello" with "World from <name>" after --work seconds. The broker's
DEALER hands requests to the connected workers in turn, so start several.

Runs until Ctrl-C, or until it has answered --count requests, or until no
request has come for --max-idle seconds.

    python examples/rrworker.py
    python examples/rrworker.py --connect tcp://127.0.0.1:6006 --work 0 --max-idle 2

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import time

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connect", default="tcp://localhost:5560",
                        help="the broker's backend")
    parser.add_argument("--name", default="worker-%d" % os.getpid(),
                        help="name put in the replies")
    parser.add_argument("--work", type=float, default=1.0,
                        help="seconds of simulated work per request")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after this many requests (0 = never)")
    parser.add_argument("--max-idle", type=float, default=0,
                        help="stop when no request has come for this many "
                             "seconds (0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    socket = context.socket(zmq.REP)
    socket.linger = 1000  # at exit, a second for the last reply to get out
    socket.connect(args.connect)
    print("%s ready" % args.name, flush=True)

    idle_ms = int(args.max_idle * 1000) if args.max_idle > 0 else None
    served = 0
    try:
        while args.count <= 0 or served < args.count:
            if not socket.poll(idle_ms):
                break  # idle for too long
            request = socket.recv_string()
            print("Received request: [ %s ]" % request, flush=True)
            time.sleep(args.work)  # the 'work'
            socket.send_string("World from %s" % args.name)
            served += 1
    except KeyboardInterrupt:
        pass
    finally:
        socket.close()
        context.term()
    print("%s: served %d requests" % (args.name, served))


if __name__ == "__main__":
    main()
