"""One benchmark run in a process of its own: ``python -m zmqcore.perf.worker``.

The CLI (cli.py) runs every cell of its table through this module, one
process per run, so that the implementation under test is imported only here,
by the module name given on the command line (``--module zmqcore`` or
``--module zmq`` for pyzmq): the CLI's own process never imports pyzmq, and a
run's CPU time and memory are its own. (A pyzmq worker does load zmqcore's
package, where this code lives, but creates no zmqcore context: no zmqcore
thread runs next to pyzmq's.)

The timing end prints one JSON line on stdout: the benchmark's result (see
thr.py, lat.py, fanout.py, rr.py) with the CPU time of both ends, or
{"error": ...}; exit code 0, 1 (the run failed) or 2 (the module cannot be
imported: {"unavailable": true}). Over tcp and ipc it starts its peer(s) as
this module again with --role and --endpoint; a peer prints its own CPU time
(user and system seconds, all threads, from the start of its part to the
end) as one JSON line when it exits.

    python -m zmqcore.perf.worker --module zmqcore --bench thr --transport tcp \\
        --size 64 --count 200000
"""

import argparse
import importlib
import json
import os
import site
import sys

from zmqcore.perf import fanout, harness as h, lat, rr, thr

BENCHES = {m.NAME: m for m in (thr, lat, fanout, rr)}
# Label -> module name of the implementations the CLI knows.
IMPLS = {"zmqcore": "zmqcore", "pyzmq": "zmq"}

# The options of a run: (name, type, default). The CLI builds a worker's argv
# from the same list (command()).
OPTIONS = (("module", str, "zmqcore"), ("bench", str, None),
           ("transport", str, "inproc"), ("size", int, 64), ("count", int, None),
           ("peers", int, 1), ("window", int, rr.WINDOW), ("warmup", int, None),
           ("hwm", int, None), ("timeout", float, None), ("pin", str, None))

# The directory holding the zmqcore package in use, so that the workers run
# the same zmqcore as their parent even from a source tree (see child_env()).
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def command(copy=True, role=None, endpoints=(), **options):
    """argv of a worker: the OPTIONS given (None values left out), --no-copy,
    and for a peer its --role and one --endpoint each."""
    argv = [sys.executable, "-m", "zmqcore.perf.worker"]
    for name, _, _ in OPTIONS:
        value = options.pop(name, None)
        if value is not None:
            argv += ["--" + name, str(value)]
    if options:
        raise TypeError("unknown worker options: %s" % ", ".join(options))
    if not copy:
        argv.append("--no-copy")
    if role is not None:
        argv += ["--role", role]
    for ep in endpoints:
        argv += ["--endpoint", ep]
    return argv


def child_env():
    """The environment for a worker: PYTHONPATH gets the directory of this
    zmqcore unless that is a site-packages directory (where a fresh
    interpreter finds it anyway)."""
    env = dict(os.environ)
    sites = set(site.getsitepackages()) | {site.getusersitepackages()}
    if PACKAGE_ROOT not in sites:
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = PACKAGE_ROOT + (os.pathsep + old if old else "")
    return env


def parse_cpus(text):
    """'0', '0,1', '0-3' -> a set of CPU numbers."""
    cpus = set()
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            cpus.update(range(int(lo), int(hi) + 1))
        elif part:
            cpus.add(int(part))
    if not cpus:
        raise ValueError("no CPU in %r" % text)
    return cpus


def pin(text):
    """Run this process (and its threads and children) on the CPUs in `text`."""
    os.sched_setaffinity(0, parse_cpus(text))


def parser():
    parser = argparse.ArgumentParser(
        prog="python -m zmqcore.perf.worker",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    for name, kind, default in OPTIONS:
        parser.add_argument("--" + name, type=kind, default=default,
                            required=name in ("bench", "count"))
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    parser.add_argument("--role", default=None, help="run a peer (internal)")
    parser.add_argument("--endpoint", action="append", default=[],
                        help="a peer's endpoint, once per endpoint (internal)")
    return parser


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run_peer(zmq, bench, p):
    """A peer process: watch the parent, run the peer's part, report CPU time."""
    done = h.watch_parent()
    cpu0 = h.cpu_times()
    bench.peer(zmq, p, p.endpoint, first_timeout=p.timeout or None,
               before_close=done.wait)
    user, system = h.cpu_since(cpu0)
    emit({"cpu_user_s": user, "cpu_sys_s": system, "pid": os.getpid()})
    return 0


def main(argv=None):
    p = parser().parse_args(argv)
    if p.bench not in BENCHES:
        emit({"error": "unknown bench %r" % p.bench})
        return 1
    bench = BENCHES[p.bench]
    if p.pin:
        pin(p.pin)
    p.timeout = h.resolve_timeout(p.timeout, p.transport)
    try:
        zmq = importlib.import_module(p.module)
    except ImportError as exc:
        emit({"error": "cannot import %s: %s" % (p.module, exc), "unavailable": True})
        return 2
    if p.role is not None:
        return run_peer(zmq, bench, p)
    h.exit_on_sigterm()
    options = {name: getattr(p, name) for name, _, _ in OPTIONS}

    def peer_command(endpoints):
        return command(copy=p.copy, role=bench.ROLE, endpoints=endpoints, **options)
    try:
        result = h.run(bench, zmq, p, peer_command)
    except Exception as exc:
        emit({"error": "%s: %s" % (type(exc).__name__, exc)})
        return 1
    result.update({
        "module": p.module,
        "version": getattr(zmq, "__version__", "?"),
        "libzmq": zmq.zmq_version() if hasattr(zmq, "zmq_version") else "?",
        "pinned": sorted(os.sched_getaffinity(0)) if p.pin else None,
    })
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
