#!/usr/bin/env python
"""zmqcore vs pyzmq, side by side: this is now ``python -m zmqcore.perf``,
which this script runs with the same arguments (see --help). Kept for the
commands that still name it, e.g. ``python benchmarks/compare.py --quick``."""

import sys

import _path  # noqa: F401  (zmqcore from this tree if it is not installed)
from zmqcore.perf.cli import main

if __name__ == "__main__":
    sys.exit(main())
