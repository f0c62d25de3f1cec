#!/usr/bin/env python3
"""Request-reply client: a REQ socket talking to the broker (msgqueue.py).

Connects to the broker's frontend (default tcp://localhost:5559), sends
--requests "Hello" requests one after the other and prints every reply, which
says which worker answered.

    python examples/rrclient.py
    python examples/rrclient.py --connect tcp://127.0.0.1:6005 --requests 5

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connect", default="tcp://localhost:5559",
                        help="the broker's frontend")
    parser.add_argument("--requests", type=int, default=10, help="requests to send")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up if a reply takes longer than this many "
                             "seconds (0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    if args.timeout > 0:
        socket.rcvtimeo = int(args.timeout * 1000)
    socket.connect(args.connect)

    status = 0
    try:
        for number in range(1, args.requests + 1):
            socket.send_string("Hello")
            reply = socket.recv_string()
            print("Received reply %d [ %s ]" % (number, reply), flush=True)
    except zmq.Again:
        print("No reply within %g s, giving up" % args.timeout, file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    finally:
        socket.close()
        context.term()
    return status


if __name__ == "__main__":
    sys.exit(main())
