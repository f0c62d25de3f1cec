#!/usr/bin/env python
"""libzmq's remote_thr for zmqcore and pyzmq: the
sending end of the two-host throughput test.

    python benchmarks/remote_thr.py tcp://127.0.0.1:5555 64 1000000 [--impl zmqcore|zmq]

See --help and zmqcore/perf/twohost.py.
"""

import _path  # noqa: F401  (zmqcore from this tree if it is not installed)
from zmqcore.perf.twohost import remote_thr

if __name__ == "__main__":
    remote_thr()
