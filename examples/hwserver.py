#!/usr/bin/env python3
"""Hello World server: a REP socket answering every request with "World".

Binds a REP socket (default tcp://*:5555), waits for a request, pretends to
work on it for --work seconds and replies "World". Runs until Ctrl-C, or until
it has answered --count requests.

    python examples/hwserver.py
    python examples/hwserver.py --bind tcp://127.0.0.1:6000 --count 3 --work 0

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
    parser.add_argument("--bind", default="tcp://*:5555", help="endpoint to bind")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after answering this many requests (0 = never)")
    parser.add_argument("--work", type=float, default=1.0,
                        help="seconds of simulated work per request")
    args = parser.parse_args(argv)

    context = zmq.Context()
    socket = context.socket(zmq.REP)
    socket.linger = 1000  # at exit, give the last reply a second to get out
    socket.bind(args.bind)
    print("Hello World server listening on %s" % args.bind, flush=True)

    served = 0
    try:
        while args.count <= 0 or served < args.count:
            request = socket.recv_string()
            print("Received request: %s" % request, flush=True)
            time.sleep(args.work)  # the 'work'
            socket.send_string("World")
            served += 1
    except KeyboardInterrupt:
        print()
    finally:
        socket.close()
        context.term()
    print("Served %d requests" % served)


if __name__ == "__main__":
    main()
