"""python -m zmqcore.perf: see zmqcore/perf/cli.py."""

import sys

from zmqcore.perf.cli import main

sys.exit(main())
