#!/usr/bin/env python3
"""Weather proxy: a SUB -> PUB forwarder between the weather server and its
subscribers on another network.

The frontend SUB socket connects to the weather server (default
tcp://localhost:5556) and subscribes to everything; the backend PUB socket
binds the proxy's public endpoint (default tcp://*:8100), where weather
clients connect as if it were the server. Every message is passed on with all
its parts (RCVMORE / SNDMORE), so multipart messages stay whole.

By default the forwarding loop is written out by hand and stops after --count
messages if given; --device hands the sockets to the built-in FORWARDER device
(zmq.device) instead, which runs until Ctrl-C.

    python examples/wuproxy.py
    python examples/wuproxy.py --frontend tcp://127.0.0.1:6001 --backend tcp://127.0.0.1:6002
    python examples/wuproxy.py --device

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def forward(frontend, backend, count, tally):
    """Pass messages from frontend to backend part by part, counting whole
    messages in tally[0]; stops after `count` of them if count > 0."""
    while count <= 0 or tally[0] < count:
        while True:
            part = frontend.recv()
            if frontend.getsockopt(zmq.RCVMORE):
                backend.send(part, zmq.SNDMORE)
            else:
                backend.send(part)
                break  # that was the last part
        tally[0] += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frontend", default="tcp://localhost:5556",
                        help="weather server to connect to")
    parser.add_argument("--backend", default="tcp://*:8100",
                        help="public endpoint to bind for our subscribers")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after forwarding this many messages (0 = never)")
    parser.add_argument("--device", action="store_true",
                        help="use the built-in FORWARDER device instead of the loop")
    args = parser.parse_args(argv)
    if args.device and args.count:
        parser.error("--count only works with the hand-written loop")

    context = zmq.Context()
    frontend = context.socket(zmq.SUB)  # where the weather server sits
    backend = context.socket(zmq.PUB)   # our public endpoint
    for s in (frontend, backend):
        s.linger = 0
    frontend.connect(args.frontend)
    frontend.setsockopt(zmq.SUBSCRIBE, b"")  # everything
    backend.bind(args.backend)
    print("Forwarding %s -> %s%s" % (args.frontend, args.backend,
                                     " (FORWARDER device)" if args.device else ""),
          flush=True)

    forwarded = [0]
    try:
        if args.device:
            zmq.device(zmq.FORWARDER, frontend, backend)  # returns only on error
        else:
            forward(frontend, backend, args.count, forwarded)
    except KeyboardInterrupt:
        print()
    finally:
        frontend.close()
        backend.close()
        context.term()
    if args.device:
        print("Proxy stopped")
    else:
        print("Forwarded %d messages" % forwarded[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
