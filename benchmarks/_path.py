"""Lets these scripts run from a source tree built in place but not installed
(python setup.py build_ext --inplace): zmqcore is then taken from the tree."""

import os
import sys

try:
    import zmqcore.perf  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
