"""Helpers shared by the benchmark scripts (imported from beside them)."""

import json
import os
import sys

IMPLS = ("zmqcore", "zmq")
LABELS = {"zmqcore": "zmqcore", "zmq": "pyzmq"}
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ImplUnavailable(Exception):
    pass


def import_impl(name):
    """Import the implementation to measure.

    zmqcore is taken from the environment if installed, else from the source tree
    this script lives in (an in-place build).
    """
    if name not in IMPLS:
        raise ValueError("impl must be one of %s" % (IMPLS,))
    try:
        return __import__(name)
    except ImportError as first:
        if name != "zmqcore":
            raise ImplUnavailable("pyzmq is not installed (%s)" % first)
        if REPO_ROOT not in sys.path:
            sys.path.insert(0, REPO_ROOT)
        try:
            return __import__(name)
        except ImportError as exc:
            raise ImplUnavailable(
                "zmqcore is not importable (%s); build it with `pip install -e .` "
                "or `python setup.py build_ext --inplace`" % exc
            )


def add_impl_arg(parser):
    parser.add_argument("--impl", choices=IMPLS, default="zmqcore",
                        help="implementation to measure (zmq = pyzmq)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON line instead of the human summary")


def load_or_exit(args):
    try:
        return import_impl(args.impl)
    except ImplUnavailable as exc:
        msg = str(exc)
        if args.json:
            print(json.dumps({"impl": args.impl, "error": msg}))
        else:
            print("error: " + msg, file=sys.stderr)
        sys.exit(2)


def describe(module):
    version = getattr(module, "__version__", "?")
    libzmq = module.zmq_version() if hasattr(module, "zmq_version") else "?"
    return "%s %s (libzmq %s) from %s" % (
        module.__name__, version, libzmq, os.path.dirname(module.__file__))
