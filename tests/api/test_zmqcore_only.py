"""zmqcore-specific facts (skipped with ZMQCORE_TEST_IMPL=zmq).

- zmqcore reports the libzmq release it behaves like: zmq_version_info() == (4, 3, 5)
  and zmq_version() == "4.3.5".
- __version__ is zmqcore's own version string, also given by pyzmq_version().
- has() answers a bool for every capability name pyzmq knows, False for unknown ones.
- Importing zmqcore does not import pyzmq.
"""

import subprocess
import sys


def test_libzmq_version_matched(zmqcore_only):
    assert zmqcore_only.zmq_version_info() == (4, 3, 5)
    assert zmqcore_only.zmq_version() == "4.3.5"


def test_own_version(zmqcore_only):
    from zmqcore._version import __version__

    assert isinstance(zmqcore_only.__version__, str)
    assert zmqcore_only.__version__ == __version__
    assert zmqcore_only.pyzmq_version() == __version__
    parts = __version__.split(".")
    assert len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit()


def test_has(zmqcore_only):
    for cap in ("ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft"):
        assert zmqcore_only.has(cap) in (True, False)
    assert zmqcore_only.has("bogus") is False
    assert zmqcore_only.has("") is False


def test_import_does_not_pull_in_pyzmq(zmqcore_only):
    code = (
        "import sys, zmqcore\n"
        "ctx = zmqcore.Context(); s = ctx.socket(zmqcore.PAIR); s.close(); ctx.term()\n"
        "print('zmq' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
