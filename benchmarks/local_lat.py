#!/usr/bin/env python
"""libzmq's local_lat for zmqcore and pyzmq: the echoing end of the two-host
latency test.

    local_lat.py <bind-to> <message-size> <roundtrip-count> [--impl zmqcore|zmq]

Binds a PAIR socket to <bind-to> (libzmq uses REP, which zmqcore does not have
yet; so both ends must be these scripts), sends back each of the
<roundtrip-count> + 1 messages that remote_lat.py sends (one untimed round trip
first), stays connected for --hold seconds so that the last reply is not raced
by the disconnect, then exits; like libzmq's local_lat it prints nothing. Start
it first, then on the other host:

    remote_lat.py <connect-to> <message-size> <roundtrip-count> [--impl ...]

It waits for the first message as long as it takes (Ctrl-C to stop); after that
a gap of --timeout seconds ends the run.

    python benchmarks/local_lat.py tcp://*:5556 64 100000
"""

import sys

import _common
import lat


def main(argv=None):
    parser = _common.two_host_parser(__doc__, "bind-to", "roundtrip-count")
    _common.add_hold_arg(parser)
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    try:
        lat.echo(zmq, args.address, args.count + 1, size=args.size, bind=True,
                 copy=args.copy, timeout=args.timeout, first_timeout=None,
                 before_close=_common.hold(args.hold))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _common.exit_failed(args, exc)


if __name__ == "__main__":
    main()
