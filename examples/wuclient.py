#!/usr/bin/env python3
"""Weather update client: a SUB socket averaging the temperature of one zip code.

Connects a SUB socket to the weather server (default tcp://localhost:5556) or
to a weather proxy, subscribes to one zip code (default 10001, New York) and
prints the average temperature over --updates updates. A SUB socket receives
nothing until it subscribes; the subscription is a prefix filter applied by
the publisher, so "10001 " (with the space) matches that zip code only.

    python examples/wuclient.py
    python examples/wuclient.py 10005 --connect tcp://127.0.0.1:6001 --updates 5

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def zipcode(text):
    if not (text.isdigit() and len(text) == 5):
        raise argparse.ArgumentTypeError("a zip code has five digits, e.g. 10001")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zipcode", nargs="?", type=zipcode, default="10001",
                        help="five-digit zip code to follow (default 10001)")
    parser.add_argument("--connect", action="append", default=None,
                        help="publisher endpoint, repeatable "
                             "(default tcp://localhost:5556)")
    parser.add_argument("--updates", type=int, default=5,
                        help="updates to average over")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up if no update comes for this many seconds "
                             "(0 = wait forever)")
    args = parser.parse_args(argv)
    endpoints = args.connect or ["tcp://localhost:5556"]

    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.linger = 0
    if args.timeout > 0:
        socket.rcvtimeo = int(args.timeout * 1000)
    print("Collecting updates from weather server...", flush=True)
    for endpoint in endpoints:
        socket.connect(endpoint)
    socket.setsockopt_string(zmq.SUBSCRIBE, args.zipcode + " ")

    total_temperature = 0
    received = 0
    status = 0
    try:
        while received < args.updates:
            zip_, temperature, humidity = socket.recv_string().split()
            if zip_ != args.zipcode:  # cannot happen: the filter is exact
                raise RuntimeError("update for %s leaked through" % zip_)
            received += 1
            total_temperature += int(temperature)
            print("Update %d: %s %sF %s%%" % (received, zip_, temperature, humidity),
                  flush=True)
    except zmq.Again:
        print("No update within %g s, giving up" % args.timeout, file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    finally:
        socket.close()
        context.term()
    if received:
        print("Average temperature for zipcode '%s' was %.1fF (%d updates)"
              % (args.zipcode, total_temperature / received, received))
    return status


if __name__ == "__main__":
    sys.exit(main())
