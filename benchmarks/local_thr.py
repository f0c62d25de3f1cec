#!/usr/bin/env python
"""libzmq's local_thr for zmqcore and pyzmq: the
receiving, timing end of the two-host throughput test.

    python benchmarks/local_thr.py tcp://*:5555 64 1000000 [--impl zmqcore|zmq]

See --help and zmqcore/perf/twohost.py.
"""

import _path  # noqa: F401  (zmqcore from this tree if it is not installed)
from zmqcore.perf.twohost import local_thr

if __name__ == "__main__":
    local_thr()
