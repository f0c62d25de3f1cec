#!/usr/bin/env python3
"""Request-reply broker: clients and workers meet in the middle.

The frontend ROUTER socket (called XREP in older ZeroMQ) binds where the
clients' REQ sockets connect (default tcp://*:5559); the backend DEALER
socket (XREQ) binds where the workers' REP sockets connect (default
tcp://*:5560). Requests go to the workers in turn and each reply finds its way
back to the client that asked, carried by the envelope of routing ids the
ROUTER adds. Clients and workers only know the broker, so either side can
grow or shrink while it runs.

Two ways to run it:

  --mode device (default)  hand both sockets to the built-in QUEUE device,
                           zmq.device(zmq.QUEUE, frontend, backend); runs
                           until Ctrl-C
  --mode loop              the same thing written out: a zmq.Poller over both
                           sockets passing whole multipart messages across;
                           --count N stops it after relaying N replies

    python examples/msgqueue.py
    python examples/msgqueue.py --mode loop --frontend tcp://127.0.0.1:6005 \\
        --backend tcp://127.0.0.1:6006 --count 20

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def relay(frontend, backend, count, tally):
    """The broker loop: requests frontend -> backend, replies backend ->
    frontend. Replies relayed are counted in tally[0]; stops after `count`
    if count > 0."""
    poller = zmq.Poller()
    poller.register(frontend, zmq.POLLIN)
    poller.register(backend, zmq.POLLIN)
    while count <= 0 or tally[0] < count:
        ready = dict(poller.poll())
        if ready.get(frontend) == zmq.POLLIN:
            # [client id, empty delimiter, request] -> a worker
            backend.send_multipart(frontend.recv_multipart())
        if ready.get(backend) == zmq.POLLIN:
            # [client id, empty delimiter, reply] -> that client
            frontend.send_multipart(backend.recv_multipart())
            tally[0] += 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--frontend", default="tcp://*:5559",
                        help="endpoint to bind for the clients")
    parser.add_argument("--backend", default="tcp://*:5560",
                        help="endpoint to bind for the workers")
    parser.add_argument("--mode", choices=("device", "loop"), default="device",
                        help="QUEUE device or hand-written poll loop")
    parser.add_argument("--count", type=int, default=0,
                        help="loop mode: stop after relaying this many replies "
                             "(0 = never)")
    args = parser.parse_args(argv)
    if args.count and args.mode != "loop":
        parser.error("--count needs --mode loop")

    context = zmq.Context()
    frontend = context.socket(zmq.ROUTER)  # faces the clients (XREP)
    frontend.bind(args.frontend)
    backend = context.socket(zmq.DEALER)   # faces the workers (XREQ)
    backend.bind(args.backend)
    frontend.linger = 1000  # the last replies get a second to reach the clients
    backend.linger = 0
    print("Broker (%s) between clients on %s and workers on %s"
          % (args.mode, args.frontend, args.backend), flush=True)

    relayed = [0]
    try:
        if args.mode == "device":
            zmq.device(zmq.QUEUE, frontend, backend)  # returns only on error
        else:
            relay(frontend, backend, args.count, relayed)
    except KeyboardInterrupt:
        print()
    finally:
        frontend.close()
        backend.close()
        context.term()
    if args.mode == "loop":
        print("Relayed %d replies" % relayed[0])
    else:
        print("Broker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
