#!/usr/bin/env python
"""libzmq's remote_thr for zmqcore and pyzmq: the sending end of the two-host
throughput test.

    remote_thr.py <connect-to> <message-size> <message-count> [--impl zmqcore|zmq]

Connects a PUSH socket to <connect-to> (where local_thr.py is bound), sends
<message-count> messages of <message-size> bytes as fast as it can, stays
connected for --hold seconds (so that the last messages are not raced by the
disconnect) and exits once they are delivered; like libzmq's remote_thr it
prints nothing. Start local_thr.py first: if the receiver takes nothing for
--timeout seconds (HWM reached and no progress), the run is abandoned.

    python benchmarks/remote_thr.py tcp://127.0.0.1:5555 64 1000000
    python benchmarks/remote_thr.py ipc:///tmp/thr.ipc 1024 200000 --impl zmq
"""

import sys

import _common
import thr


def main(argv=None):
    parser = _common.two_host_parser(__doc__, "connect-to", "message-count")
    _common.add_hold_arg(parser)
    args = parser.parse_args(argv)
    zmq = _common.load_or_exit(args)
    try:
        thr.sender(zmq, args.address, args.size, args.count, bind=False,
                   copy=args.copy, timeout=args.timeout, first_timeout=None,
                   before_close=_common.hold(args.hold))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _common.exit_failed(args, exc)


if __name__ == "__main__":
    main()
