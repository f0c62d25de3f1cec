#!/usr/bin/env python3
"""Hello World client: a REQ socket sending "Hello" and waiting for "World".

Connects a REQ socket (default tcp://localhost:5555), then sends --requests
requests one at a time, printing each reply. A REQ socket enforces the
lock-step: send, receive, send, receive...

    python examples/hwclient.py
    python examples/hwclient.py --connect tcp://127.0.0.1:6000 --requests 3

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
    parser.add_argument("--connect", default="tcp://localhost:5555",
                        help="endpoint of the server")
    parser.add_argument("--requests", type=int, default=10, help="requests to send")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up if a reply takes longer than this many "
                             "seconds (0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    print("Connecting to hello world server at %s..." % args.connect, flush=True)
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    if args.timeout > 0:
        socket.rcvtimeo = int(args.timeout * 1000)
    socket.connect(args.connect)

    status = 0
    try:
        for number in range(1, args.requests + 1):
            print("Sending request %d ..." % number, flush=True)
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
