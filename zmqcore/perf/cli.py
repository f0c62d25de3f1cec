"""zmqcore's benchmarks, side by side with pyzmq: ``python -m zmqcore.perf``.

Throughput (thr: PUSH -> PULL, the receiver times first to last message) and
latency (lat: REQ/REP round trips; one-way mean, p50, p99, p99.9) over inproc,
ipc and tcp for 1 B ... 1 MiB messages, then PUB/SUB fan-out (fanout: 1 PUB ->
N SUB) and request throughput (rr: N DEALER -> 1 ROUTER echo). Over ipc and
tcp the two ends (every subscriber, every client) are separate processes;
over inproc they are threads of one. Every cell also reports the CPU time of
both ends, all threads (I/O threads included), per message.

When pyzmq is installed, every cell runs with zmqcore and pyzmq interleaved
(zmqcore, pyzmq, zmqcore, pyzmq, ... --repeats times); the table shows the
medians and the ratio zmqcore / pyzmq. Each run is a process of its own that
imports the implementation by name (python -m zmqcore.perf.worker --module
zmq): this process never imports pyzmq.

examples:
  python -m zmqcore.perf                    # everything (~4.5 min on 2 cores)
  python -m zmqcore.perf --quick            # < 1 min: counts / 10, 1 run each
  python -m zmqcore.perf --benches thr --transports tcp --sizes 64,1K --repeats 5
  python -m zmqcore.perf --pin 0            # all processes on CPU 0
  python -m zmqcore.perf --duration 0.5     # counts sized for ~0.5 s per run
  python -m zmqcore.perf --json out.json --plot out.png
  python -m zmqcore.perf --from-json out.json --plot out.png   # no new run

Progress goes to stderr, the tables to stdout. Default copy mode: copy=True
below 64 KiB, copy=False (both ends) from 64 KiB up, like pyzmq's
copy_threshold; --copy / --no-copy / --copy-both override it (fanout and rr
always copy). Over ipc and tcp, thr also runs a raw-socket baseline from
64 KiB up (quick: 1 MiB only; --raw all|no to change that): the same count
of size-byte writes over a plain socket, no ZeroMQ (raw.py); the thr table
shows it and each implementation's MB/s as a share of it. Pinning to one CPU
(--pin 0, or taskset -c 0 from outside) takes the cross-core wake-ups out of
latency on a small machine.
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time

from zmqcore.perf import raw, report, worker
from zmqcore.perf.harness import TRANSPORTS

SIZES = (1, 64, 1024, 65536, 1048576)
PATTERN_SIZES = (64, 1024)
QUICK_PATTERN_SIZES = (64,)
SUBSCRIBERS = (1, 2, 4)
CLIENTS = (1, 2)
# Sizes at or above this are sent and received with copy=False by default,
# as pyzmq's copy_threshold does.
ZERO_COPY_FROM = 65536
QUICK_SCALE = 0.1
# thr over these transports also runs the raw-socket baseline (raw.py), by
# default at these sizes and up (below, the kernel coalesces the writes);
# --quick only at QUICK_RAW_SIZES.
RAW_TRANSPORTS = ("ipc", "tcp")
RAW_FROM = 65536
QUICK_RAW_SIZES = (1048576,)
IMPL_ORDER = ("zmqcore", "pyzmq")
MAX_COUNT = 100_000_000

# Messages (thr, fanout), round trips (lat) or requests per client (rr) per
# run, by size (the nearest size for others), so that a run of the slower
# implementation takes about 0.3-1.5 s on a 2-core VM. inproc with copy=True
# and copy=False, then ipc/tcp (two processes, either copy mode).
COUNTS = {
    ("thr", "inproc", True): {1: 1_000_000, 64: 1_000_000, 1024: 500_000,
                              65536: 50_000, 1048576: 5_000},
    ("thr", "inproc", False): {1: 500_000, 64: 500_000, 1024: 300_000,
                               65536: 100_000, 1048576: 100_000},
    ("thr", "net"): {1: 1_000_000, 64: 1_000_000, 1024: 300_000, 65536: 20_000,
                     1048576: 2_000},
    ("lat", "inproc"): {1: 20_000, 64: 20_000, 1024: 20_000, 65536: 20_000,
                        1048576: 4_000},
    ("lat", "net"): {1: 10_000, 64: 10_000, 1024: 10_000, 65536: 10_000,
                     1048576: 2_000},
    ("fanout",): {64: 500_000, 1024: 200_000, 65536: 20_000, 1048576: 1_000},
    ("rr",): {64: 100_000, 1024: 50_000, 65536: 10_000, 1048576: 1_000},
}
PATTERNS = ("fanout", "rr")


def default_count(bench, transport, size, copy, scale):
    if bench in PATTERNS:
        table = COUNTS[(bench,)]
    elif transport != "inproc":
        table = COUNTS[(bench, "net")]
    elif bench == "thr":
        table = COUNTS[(bench, transport, copy)]
    else:
        table = COUNTS[(bench, transport)]
    base = table[min(table, key=lambda s: (abs(s - size), s))]
    return max(worker.BENCHES[bench].MIN_COUNT, int(base * scale))


def parse_size(text):
    """'64', '1K', '1KiB', '64k', '1M', '1MiB' -> bytes."""
    m = re.fullmatch(r"\s*(\d+)\s*([kKmM]?)(i?[bB])?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError("not a size: %r" % text)
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20}[m.group(2).lower()]


def comma_list(convert):
    def parse(text):
        try:
            return [convert(x) for x in text.split(",") if x.strip()]
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise argparse.ArgumentTypeError(str(exc))
    return parse


def choice_list(choices):
    def check(x):
        x = x.strip()
        if x not in choices:
            raise argparse.ArgumentTypeError("%r is not one of %s"
                                             % (x, ", ".join(choices)))
        return x
    return comma_list(check)


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m zmqcore.perf",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--benches", type=choice_list(list(worker.BENCHES)),
                   default=list(worker.BENCHES),
                   help="comma-separated subset of thr,lat,fanout,rr (default: all)")
    p.add_argument("--transports", type=choice_list(TRANSPORTS),
                   default=list(TRANSPORTS), help="subset of inproc,ipc,tcp")
    p.add_argument("--sizes", type=comma_list(parse_size), default=None,
                   help="message sizes for thr and lat, e.g. 1,64,1K,64K,1M "
                        "(default: all five)")
    p.add_argument("--pattern-sizes", type=comma_list(parse_size), default=None,
                   help="message sizes for fanout and rr (default: --sizes if "
                        "given, else 64,1K; quick: 64)")
    p.add_argument("--subscribers", type=comma_list(int), default=list(SUBSCRIBERS),
                   help="fanout: numbers of SUB sockets (default 1,2,4)")
    p.add_argument("--clients", type=comma_list(int), default=list(CLIENTS),
                   help="rr: numbers of DEALER clients (default 1,2)")
    p.add_argument("--window", type=int, default=worker.rr.WINDOW,
                   help="rr: requests each client keeps in flight (default %(default)s)")
    amount = p.add_mutually_exclusive_group()
    amount.add_argument("--count", type=int, default=None,
                        help="messages (thr, fanout), round trips (lat) or requests "
                             "per client (rr) in every run, instead of the defaults")
    amount.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="size each cell's count so that a run takes about this "
                             "long (a short probe run per implementation first)")
    amount.add_argument("--scale", type=float, default=None,
                        help="multiply the default counts (quick: %g)" % QUICK_SCALE)
    copy = p.add_mutually_exclusive_group()
    copy.add_argument("--copy", dest="copy", action="store_const", const="yes",
                      help="copy=True at every size")
    copy.add_argument("--no-copy", dest="copy", action="store_const", const="no",
                      help="copy=False at every size (zero-copy send and recv)")
    copy.add_argument("--copy-both", dest="copy", action="store_const", const="both",
                      help="every thr/lat cell twice, with and without copying")
    p.set_defaults(copy="auto")
    p.add_argument("--raw", choices=("auto", "all", "no"), default="auto",
                   help="thr over ipc/tcp: the raw-socket baseline at 64 KiB and "
                        "up (auto; quick: 1 MiB only), at every size, or not")
    p.add_argument("--repeats", type=int, default=None,
                   help="runs per implementation and cell (default 3, quick 1)")
    p.add_argument("--impl", choices=("both", "zmqcore", "pyzmq"), default=None,
                   help="what to run (default: both if pyzmq is installed)")
    p.add_argument("--pin", default=None, metavar="CPUS",
                   help="run every benchmark process on these CPUs (e.g. 0 or "
                        "0,1; os.sched_setaffinity)")
    p.add_argument("--quick", action="store_true",
                   help="counts x%g, 1 run each, fanout/rr at 64 B only: under a "
                        "minute on 2 cores" % QUICK_SCALE)
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds allowed per run (default %(default)s)")
    p.add_argument("--json", metavar="FILE", default=None,
                   help="write all results (every run, raw) as JSON ('-': stdout)")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="draw the results with matplotlib (pip install 'zmqcore[plot]')")
    p.add_argument("--from-json", metavar="FILE", default=None,
                   help="do not run: print the tables (and --plot) of a --json file")
    return p


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def _kill_group(proc):
    """End a run and its peers (one process group): SIGTERM first, so that
    they can still remove their ipc files, then SIGKILL."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(3)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_worker(cell, impl, count, opts):
    """One run of `cell` with `impl` in a worker process (and its peers);
    returns the worker's JSON dict, or {"error": ...}."""
    if impl == "raw":
        argv = raw.command(cell["transport"], cell["size"], count, pin=opts.pin)
    else:
        argv = worker.command(copy=cell["copy"], module=worker.IMPLS[impl],
                              bench=cell["bench"], transport=cell["transport"],
                              size=cell["size"], count=count, peers=cell["peers"],
                              window=cell["window"], pin=opts.pin)
    # A session of its own, so that a run that hangs is killed with its peers.
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, env=opts.env)
    try:
        stdout, stderr = proc.communicate(timeout=opts.timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return {"error": "timed out after %gs" % opts.timeout}
    except BaseException:  # Ctrl-C: do not leave the run behind
        _kill_group(proc)
        raise
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        result = None
    if proc.returncode != 0 or result is None:
        if result and "error" in result:
            return result
        tail = (stderr or stdout).strip().splitlines()[-3:]
        return {"error": "exit %d: %s" % (proc.returncode, " | ".join(tail))}
    return result


def summary(result):
    """A few words on one run, for the progress lines."""
    if "error" in result:
        return "failed: " + result["error"]
    bench = result["bench"]
    key, label = worker.BENCHES[bench].METRICS[0][:2]
    text = "%s %s" % (report.fmt_value(result[key]), label)
    if bench == "lat":
        text = "mean %s us, p99 %s us" % (report.fmt_value(result["mean_us"]),
                                         report.fmt_value(result["p99_us"]))
    if result.get("cpu_us_per_msg") is not None:
        text += ", CPU %s us/msg" % report.fmt_value(result["cpu_us_per_msg"])
    return text


class Progress:
    """Progress lines on stderr: run n of N, time so far and an estimate."""

    def __init__(self, total):
        self.total = total
        self.done = 0
        self.start = time.monotonic()

    @staticmethod
    def clock(seconds):
        seconds = int(seconds)
        return "%d:%02d" % (seconds // 60, seconds % 60)

    def begin(self, what):
        elapsed = time.monotonic() - self.start
        left = ""
        if self.done:
            rest = elapsed / self.done * (self.total - self.done)
            left = " ~%s left" % self.clock(rest)
        sys.stderr.write("[%*d/%d %s%s] %s ... " % (len(str(self.total)), self.done + 1,
                                                    self.total, self.clock(elapsed),
                                                    left, what))
        sys.stderr.flush()

    def end(self, text):
        self.done += 1
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def describe_cell(cell):
    text = "%s %s %s" % (cell["bench"], cell["transport"], report.fmt_size(cell["size"]))
    if cell["bench"] in PATTERNS:
        return text + " N=%d" % cell["peers"]
    return text + (" copy" if cell["copy"] else " no-copy")


def calibrate(cell, impls, opts, progress):
    """--duration: a short probe run per implementation, then the count that
    makes the slower one's run take about opts.duration seconds."""
    bench = worker.BENCHES[cell["bench"]]
    probe = max(bench.MIN_COUNT, cell["count"] // 20)
    rates = []
    for impl in impls:
        progress.begin("%s: probe %s, count %d" % (describe_cell(cell), impl, probe))
        result = run_worker(cell, impl, probe, opts)
        progress.end(summary(result))
        if "error" not in result:
            rates.append(bench.count_rate(result))
    if not rates:
        return cell["count"]
    return max(bench.MIN_COUNT, min(MAX_COUNT, int(min(rates) * opts.duration)))


def run_cell(cell, impls, opts, progress, unavailable):
    """Every implementation (and the raw baseline if the cell has one, with
    the same count), interleaved, opts.repeats times."""
    if opts.duration:
        cell["count"] = calibrate(cell, [i for i in impls if i not in unavailable],
                                  opts, progress)
    if cell.get("raw"):
        impls = list(impls) + ["raw"]
    for r in range(opts.repeats):
        for impl in impls:  # interleaved: A B A B ...
            if impl in unavailable:
                progress.done += 1
                continue
            progress.begin("%s: %s %d/%d" % (describe_cell(cell), impl, r + 1,
                                             opts.repeats))
            result = run_worker(cell, impl, cell["count"], opts)
            progress.end(summary(result))
            if result.get("unavailable"):
                unavailable[impl] = result["error"]
            elif "error" in result:
                cell["errors"].setdefault(impl, []).append(result["error"])
            else:
                for warning in (result.get("peer_warning"),
                                "%d messages lost" % result["lost"]
                                if result.get("lost") else None):
                    if warning:
                        cell["warnings"].setdefault(impl, []).append(warning)
                cell["runs"].setdefault(impl, []).append(result)
    summarize(cell)


def summarize(cell):
    """Medians per implementation and metric, and the ratios zmqcore / pyzmq."""
    metrics = worker.BENCHES[cell["bench"]].METRICS
    cell["median"] = {}
    for impl, runs in cell["runs"].items():
        cell["median"][impl] = {}
        for key, _, _ in metrics:
            values = [r[key] for r in runs if r.get(key) is not None]
            cell["median"][impl][key] = statistics.median(values) if values else None
    cell["ratio"] = {}
    zc, py = cell["median"].get("zmqcore", {}), cell["median"].get("pyzmq", {})
    for key, _, _ in metrics:
        a, b = zc.get(key), py.get(key)
        cell["ratio"][key] = a / b if a is not None and b else None
    # Each implementation's MB/s as a share of the raw baseline's.
    base = cell["median"].get("raw", {}).get("mb_per_s")
    cell["raw_share"] = {}
    if base:
        for impl in IMPL_ORDER:
            mine = cell["median"].get(impl, {}).get("mb_per_s")
            if mine is not None:
                cell["raw_share"][impl] = mine / base


def wants_raw(args, bench, transport, size):
    """Whether a cell also runs the raw-socket baseline (see --raw)."""
    if bench != "thr" or transport not in RAW_TRANSPORTS or args.raw == "no":
        return False
    if args.raw == "all":
        return True
    return size in QUICK_RAW_SIZES if args.quick else size >= RAW_FROM


def plan(args, scale):
    """The cells to run, in order."""
    sizes = args.sizes or list(SIZES)
    pattern_sizes = args.pattern_sizes or args.sizes or list(
        QUICK_PATTERN_SIZES if args.quick else PATTERN_SIZES)
    cells = []
    for bench in args.benches:
        for transport in args.transports:
            if bench in PATTERNS:
                combos = [(size, True, n) for size in pattern_sizes
                          for n in (args.subscribers if bench == "fanout"
                                    else args.clients)]
            else:
                combos = []
                for size in sizes:
                    modes = {"yes": [True], "no": [False], "both": [True, False]}.get(
                        args.copy, [size < ZERO_COPY_FROM])
                    combos += [(size, copy, 1) for copy in modes]
            for size, copy, peers in combos:
                count = args.count or default_count(bench, transport, size, copy, scale)
                cells.append({"bench": bench, "transport": transport, "size": size,
                              "copy": copy, "count": count, "peers": peers,
                              "window": args.window, "runs": {}, "errors": {},
                              "warnings": {}, "median": {}, "ratio": {},
                              "raw": wants_raw(args, bench, transport, size)})
    return cells


def choose_impls(args, parser):
    have_pyzmq = importlib.util.find_spec("zmq") is not None  # not imported
    if args.impl is None:
        if not have_pyzmq:
            print("note: pyzmq is not installed, so zmqcore runs alone "
                  "(pip install pyzmq for the comparison)", file=sys.stderr)
        return ["zmqcore", "pyzmq"] if have_pyzmq else ["zmqcore"]
    if args.impl != "zmqcore" and not have_pyzmq:
        parser.error("--impl %s: pyzmq is not installed (pip install pyzmq)" % args.impl)
    return {"both": ["zmqcore", "pyzmq"]}.get(args.impl, [args.impl])


def check_plot(path, parser):
    if path and importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot needs matplotlib: pip install 'zmqcore[plot]' "
                     "(or pip install matplotlib)")


def output(data, args):
    print(report.tables(data))
    if args.json == "-":
        print(json.dumps(data))
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
        print("results written to %s" % args.json, file=sys.stderr)
    if args.plot:
        from zmqcore.perf import plot
        plot.plot(data, args.plot)
        print("plot written to %s" % args.plot, file=sys.stderr)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    check_plot(args.plot, parser)
    if args.from_json:
        with open(args.from_json) as f:
            data = json.load(f)
        args.json = None
        output(data, args)
        return 0
    if args.pin:
        try:
            cpus = worker.parse_cpus(args.pin)
        except ValueError:
            parser.error("--pin: not a CPU list: %r" % args.pin)
        if not cpus <= os.sched_getaffinity(0):
            parser.error("--pin: CPU(s) %s not available (this process may use %s)"
                         % (sorted(cpus - os.sched_getaffinity(0)),
                            sorted(os.sched_getaffinity(0))))
    for name in ("count", "repeats", "window"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error("--%s must be >= 1" % name)
    if args.duration is not None and args.duration <= 0:
        parser.error("--duration must be > 0")
    impls = choose_impls(args, parser)
    repeats = args.repeats or (1 if args.quick else 3)
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 1.0)
    cells = plan(args, scale)
    opts = argparse.Namespace(pin=args.pin, timeout=args.timeout, repeats=repeats,
                              duration=args.duration, env=worker.child_env())
    runs = sum(repeats * (len(impls) + bool(c["raw"])) for c in cells)
    data = {
        "tool": "zmqcore.perf", "format": 1,
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"python": platform.python_version(), "platform": platform.platform(),
                 "cpus": os.cpu_count(), "affinity": sorted(os.sched_getaffinity(0))},
        "options": {"repeats": repeats, "quick": args.quick, "scale": scale,
                    "duration": args.duration, "pin": args.pin,
                    "copy": args.copy, "raw": args.raw,
                    "argv": sys.argv[1:] if argv is None else argv},
        "impls": {}, "unavailable": {}, "cells": cells,
    }
    raw_cells = sum(bool(c["raw"]) for c in cells)
    print("zmqcore.perf: %d cells x %d run(s) x %s%s = %d runs%s"
          % (len(cells), repeats, " + ".join(impls),
             " (+ raw in %d)" % raw_cells if raw_cells else "", runs,
             ", pinned to CPU %s" % args.pin if args.pin else ""), file=sys.stderr)
    # --duration adds a probe run per implementation and cell.
    progress = Progress(runs + (len(cells) * len(impls) if args.duration else 0))
    started = time.monotonic()
    status = 0
    done = []
    try:
        for cell in cells:
            done.append(cell)
            run_cell(cell, impls, opts, progress, data["unavailable"])
    except KeyboardInterrupt:
        print("\ninterrupted: the tables show the runs finished so far",
              file=sys.stderr)
        status = 130
        summarize(done[-1])
        if not done[-1]["runs"]:
            done.pop()
    data["cells"] = done
    data["elapsed_s"] = time.monotonic() - started
    for cell in done:
        for impl, results in cell["runs"].items():
            if impl == "raw":
                continue
            first = results[0]
            data["impls"].setdefault(impl, {"module": first["module"],
                                            "version": first["version"],
                                            "libzmq": first["libzmq"]})
    for impl in impls:
        data["impls"].setdefault(impl, {"module": worker.IMPLS[impl]})
    print("finished in %s" % Progress.clock(data["elapsed_s"]), file=sys.stderr)
    print(file=sys.stderr)
    output(data, args)
    if status == 0 and not any(c["runs"] for c in done):
        status = 1
    return status
