#!/usr/bin/env python3
"""Weather update server: a PUB socket broadcasting random weather reports.

Binds a PUB socket (default tcp://*:5556) and publishes updates of the form
"<zipcode> <temperature> <relative humidity>", e.g. "10001 54 31", for random
five-digit zip codes. A publisher does not wait for anyone: updates nobody
subscribed to are dropped, and subscribers that connect late miss whatever was
sent before they joined ("slow joiners").

Runs until Ctrl-C, or until it has sent --count updates. --zipcodes narrows
the range of zip codes (so that a subscriber's zip code comes up often) and
--rate caps the updates per second (0 = as fast as possible).

    python examples/wuserver.py
    python examples/wuserver.py --bind tcp://127.0.0.1:6001 --zipcodes 10000-10009 --rate 2000

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import random
import time

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def zip_range(text):
    """"LOW-HIGH" (inclusive) -> (low, high), five-digit zip codes."""
    try:
        low, high = (int(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected LOW-HIGH, e.g. 10000-10009")
    if not 1 <= low <= high <= 99999:
        raise argparse.ArgumentTypeError("zip codes go from 00001 to 99999")
    return low, high


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default="tcp://*:5556", help="endpoint to bind")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after this many updates (0 = never)")
    parser.add_argument("--zipcodes", type=zip_range, default=(1, 99999),
                        metavar="LOW-HIGH", help="range of zip codes (default 1-99999)")
    parser.add_argument("--rate", type=float, default=0,
                        help="at most this many updates per second (0 = no limit)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.linger = 0  # nobody is owed anything by a publisher
    socket.bind(args.bind)
    print("Publishing weather updates on %s" % args.bind, flush=True)

    low, high = args.zipcodes
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_send = time.monotonic()
    sent = 0
    try:
        while args.count <= 0 or sent < args.count:
            zipcode = random.randint(low, high)
            temperature = random.randint(-80, 134)  # Fahrenheit
            humidity = random.randint(10, 60)       # percent
            socket.send_string("%05d %d %d" % (zipcode, temperature, humidity))
            sent += 1
            if interval:
                next_send += interval
                ahead = next_send - time.monotonic()
                if ahead > 0.001:
                    time.sleep(ahead)
    except KeyboardInterrupt:
        print()
    finally:
        socket.close()
        context.term()
    print("Published %d updates" % sent)


if __name__ == "__main__":
    main()
