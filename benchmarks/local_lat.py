#!/usr/bin/env python
"""libzmq's local_lat for zmqcore and pyzmq: the
echoing (REP) end of the two-host latency test.

    python benchmarks/local_lat.py tcp://*:5556 64 100000 [--impl zmqcore|zmq]

See --help and zmqcore/perf/twohost.py.
"""

import _path  # noqa: F401  (zmqcore from this tree if it is not installed)
from zmqcore.perf.twohost import local_lat

if __name__ == "__main__":
    local_lat()
