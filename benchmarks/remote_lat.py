#!/usr/bin/env python
"""libzmq's remote_lat for zmqcore and pyzmq: the
pinging (REQ), timing end of the two-host latency test.

    python benchmarks/remote_lat.py tcp://127.0.0.1:5556 64 100000 [--impl zmqcore|zmq]

See --help and zmqcore/perf/twohost.py.
"""

import _path  # noqa: F401  (zmqcore from this tree if it is not installed)
from zmqcore.perf.twohost import remote_lat

if __name__ == "__main__":
    remote_lat()
