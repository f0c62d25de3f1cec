#!/usr/bin/env python
"""zmqcore vs pyzmq, side by side: throughput (thr.py) and latency (lat.py) over
inproc, tcp and ipc, then PUB/SUB fan-out (fanout.py) and ROUTER/DEALER
request-reply (rr.py).

Each cell (benchmark x transport x message size) runs both implementations in
fresh subprocesses, interleaved (zmqcore, pyzmq, zmqcore, pyzmq, ...), --repeats
times, and reports the medians and their ratio zmqcore / pyzmq:

    throughput (msgs/s, MB/s):         ratio > 1 means zmqcore is faster
    latency (one-way us, mean/p50/p99): ratio < 1 means zmqcore is faster

Over inproc both ends of a run are threads of one process; over tcp (loopback,
ephemeral port) and ipc (a temporary path) they are two processes of the same
implementation (see thr.py and lat.py). Message counts are smaller for tcp/ipc.

The messaging-pattern section runs fanout.py (1 publisher -> N subscribers,
--subscribers, receive rate per subscriber and in all) and rr.py (N DEALER
clients, --clients, keeping --window requests in flight through one ROUTER
echo: requests/s) for --pattern-sizes; over tcp/ipc every subscriber or
client is a process of its own. An implementation without the socket types
(zmqcore before PUB/SUB) shows n/a there.

    python benchmarks/compare.py                 # full run, 3 repeats
    python benchmarks/compare.py --quick         # ~10x shorter, 1 repeat
    python benchmarks/compare.py --transports tcp,ipc --sizes 64,1024 --benches thr
    python benchmarks/compare.py --quick --json  # also all results as one JSON line
    python benchmarks/compare.py --benches fanout,rr --subscribers 1,4 --clients 1

If zmqcore cannot be imported the pyzmq figures are still shown (and vice versa).
A run that fails or exceeds --timeout is reported under the table; its process
group (the run and its peer) is killed.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _common  # noqa: E402

SIZES = (1, 64, 1024, 65536, 1048576)
# Sizes at or above this are sent and received with copy=False in --copy auto,
# mirroring pyzmq's COPY_THRESHOLD.
ZERO_COPY_FROM = 65536

# Message counts per (bench, copy) and size, chosen so one run of pyzmq 27 takes
# about 0.5-2 s on a current x86 machine. Sizes not listed fall back to the
# nearest size. inproc:
COUNTS = {
    ("thr", True): {1: 1_000_000, 64: 1_000_000, 1024: 500_000, 65536: 50_000,
                    1048576: 5_000},
    ("thr", False): {1: 500_000, 64: 500_000, 1024: 300_000, 65536: 100_000,
                     1048576: 100_000},
    ("lat", True): {1: 100_000, 64: 100_000, 1024: 100_000, 65536: 50_000,
                    1048576: 4_000},
    ("lat", False): {1: 50_000, 64: 50_000, 1024: 50_000, 65536: 50_000,
                     1048576: 50_000},
}

# tcp and ipc (loopback, two processes; either copy mode): pyzmq moves ~1M small
# msgs/s and ~2-5 GB/s of large ones, and a round trip takes ~50 us (small) to
# ~0.5 ms (1 MiB).
NET_COUNTS = {
    "thr": {1: 1_000_000, 64: 1_000_000, 1024: 300_000, 65536: 20_000,
            1048576: 2_000},
    "lat": {1: 20_000, 64: 20_000, 1024: 20_000, 65536: 10_000, 1048576: 2_000},
}

# fanout.py: messages published per run; rr.py: requests per client. Either
# transport; pyzmq does ~0.3-1.3M msgs/s per subscriber and ~0.15-0.4M
# requests/s per client on small messages.
PATTERN_COUNTS = {
    "fanout": {64: 500_000, 1024: 200_000, 65536: 20_000, 1048576: 1_000},
    "rr": {64: 200_000, 1024: 100_000, 65536: 10_000, 1048576: 1_000},
}
PATTERN_SIZES = (64, 1024)
QUICK_PATTERN_SIZES = (64,)
SUBSCRIBERS = (1, 2, 4)
CLIENTS = (1, 2)
WINDOW = 100
# The option each pattern bench takes for its number of peers.
PEERS_OPTION = {"fanout": "--subscribers", "rr": "--clients"}

METRICS = {
    # bench: [(result key, label, higher_is_better)]
    "thr": [("msgs_per_s", "msgs/s", True), ("mb_per_s", "MB/s", True)],
    "lat": [("mean_us", "mean us", False), ("p50_us", "p50 us", False),
            ("p99_us", "p99 us", False)],
    "fanout": [("sub_msgs_per_s", "msgs/s per sub", True),
               ("total_msgs_per_s", "msgs/s all subs", True)],
    "rr": [("requests_per_s", "requests/s", True)],
}
BASIC_BENCHES = ("thr", "lat")
PATTERN_BENCHES = ("fanout", "rr")


def count_for(bench, transport, size, copy, scale):
    if bench in PATTERN_COUNTS:
        table = PATTERN_COUNTS[bench]
    elif transport == "inproc":
        table = COUNTS[(bench, copy)]
    else:
        table = NET_COUNTS[bench]
    if size in table:
        base = table[size]
    else:
        nearest = min(table, key=lambda s: abs(s - size))
        base = table[nearest]
    minimum = 2 if bench == "thr" else 1
    return max(minimum, int(base * scale))


def _kill_group(proc):
    """End a run and its peer (one process group): SIGTERM first, so that they
    can still remove their ipc files, then SIGKILL for whatever is left."""
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


def run_script(bench, impl, transport, size, count, copy, timeout, extra=()):
    """Run one benchmark in a subprocess; return its JSON dict or {"error": ...}
    (with "unavailable": True if the implementation lacks what it needs)."""
    cmd = [sys.executable, os.path.join(HERE, bench + ".py"), "--impl", impl,
           "--transport", transport, "--size", str(size), "--count", str(count),
           "--json"] + [str(x) for x in extra]
    if not copy:
        cmd.append("--no-copy")
    # A session of its own, so that a run that hangs is killed with its peer.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return {"error": "timed out after %ss" % timeout}
    except BaseException:  # Ctrl-C: do not leave the run behind
        _kill_group(proc)
        raise
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    result = None
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
    if proc.returncode != 0 or result is None:
        tail = (stderr or stdout).strip().splitlines()[-3:]
        if result and "error" in result:
            return result
        return {"error": "exit %d: %s" % (proc.returncode, " | ".join(tail))}
    return result


def probe(impl, timeout):
    """None if impl runs, else a one-line reason."""
    r = run_script("thr", impl, "inproc", 1, 2, True, timeout)
    return r.get("error")


def fmt_value(v):
    if v is None:
        return "-"
    if v >= 1e5:
        return "%.0f" % v
    if v >= 100:
        return "%.1f" % v
    return "%.3f" % v


def fmt_size(n):
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d B" % n


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="short run: counts x0.1 and 1 repeat (unless given)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs per implementation and cell (default 3, quick 1)")
    parser.add_argument("--scale", type=float, default=None,
                        help="multiply every message count (default 1, quick 0.1)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="comma-separated message sizes in bytes")
    parser.add_argument("--benches", default=",".join(METRICS),
                        help="comma-separated subset of %s" % ",".join(METRICS))
    parser.add_argument("--pattern-sizes", default=None,
                        help="message sizes for fanout and rr (default %s, quick %s)"
                             % (",".join(map(str, PATTERN_SIZES)),
                                ",".join(map(str, QUICK_PATTERN_SIZES))))
    parser.add_argument("--subscribers", default=",".join(map(str, SUBSCRIBERS)),
                        help="fanout: comma-separated numbers of subscribers")
    parser.add_argument("--clients", default=",".join(map(str, CLIENTS)),
                        help="rr: comma-separated numbers of DEALER clients")
    parser.add_argument("--window", type=int, default=WINDOW,
                        help="rr: requests each client keeps in flight")
    parser.add_argument("--transports", default=",".join(_common.TRANSPORTS),
                        help="comma-separated subset of %s"
                             % ",".join(_common.TRANSPORTS))
    parser.add_argument("--copy", choices=("auto", "yes", "no"), default="auto",
                        help="auto: copy=False from %d bytes up" % ZERO_COPY_FROM)
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds allowed per subprocess run")
    parser.add_argument("--json", action="store_true",
                        help="also print all results as one JSON line at the end")
    args = parser.parse_args(argv)

    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    benches = [b.strip() for b in args.benches.split(",") if b.strip()]
    for b in benches:
        if b not in METRICS:
            parser.error("unknown bench %r (choose from %s)" % (b, ", ".join(METRICS)))
    pattern_sizes = ([int(x) for x in args.pattern_sizes.split(",") if x.strip()]
                     if args.pattern_sizes is not None else
                     list(QUICK_PATTERN_SIZES if args.quick else PATTERN_SIZES))
    peers = {"fanout": [int(x) for x in args.subscribers.split(",") if x.strip()],
             "rr": [int(x) for x in args.clients.split(",") if x.strip()]}
    transports = [t.strip() for t in args.transports.split(",") if t.strip()]
    for t in transports:
        if t not in _common.TRANSPORTS:
            parser.error("unknown transport %r (choose from %s)"
                         % (t, ", ".join(_common.TRANSPORTS)))

    impls = []
    for impl in _common.IMPLS:
        reason = probe(impl, args.timeout)
        if reason is None:
            impls.append(impl)
        else:
            print("NOTE: %s unavailable, its column is left empty: %s"
                  % (_common.LABELS[impl], reason))
    if not impls:
        print("error: neither zmqcore nor pyzmq can run the benchmarks",
              file=sys.stderr)
        return 2

    cells = []
    unavailable = {}  # (bench, impl) -> reason: not tried again
    for bench in benches:
        for transport in transports:
            if bench in PATTERN_BENCHES:
                for size in pattern_sizes:
                    count = count_for(bench, transport, size, True, scale)
                    for n in peers[bench]:
                        extra = [PEERS_OPTION[bench], n]
                        if bench == "rr":
                            extra += ["--window", args.window]
                        cell = run_cell(bench, transport, size, True, count, impls,
                                        repeats, args.timeout, extra, unavailable)
                        cell["peers"] = n
                        cells.append(cell)
                continue
            for size in sizes:
                copy = {"yes": True, "no": False}.get(args.copy,
                                                      size < ZERO_COPY_FROM)
                count = count_for(bench, transport, size, copy, scale)
                cells.append(run_cell(bench, transport, size, copy, count, impls,
                                      repeats, args.timeout))

    basic = [c for c in cells if c["bench"] in BASIC_BENCHES]
    patterns = [c for c in cells if c["bench"] in PATTERN_BENCHES]
    if basic:
        print_basic(basic, transports, repeats)
    if patterns:
        print_patterns(patterns, transports, repeats, args.window)
    for c in cells:
        where = "%s %s %s" % (c["bench"], c["transport"], fmt_size(c["size"]))
        if "peers" in c:
            where += " x%d" % c["peers"]
        for impl, err in c["errors"].items():
            print("failed: %s %s: %s" % (where, _common.LABELS[impl], err))
        for impl, warning in c["warnings"].items():
            print("warning: %s %s: %s" % (where, _common.LABELS[impl], warning))
    for (bench, impl), reason in sorted(unavailable.items()):
        print("n/a: %s %s: %s" % (bench, _common.LABELS[impl], reason))
    if args.json:
        print(json.dumps({"impls": impls, "repeats": repeats, "scale": scale,
                          "transports": transports, "cells": cells,
                          "unavailable": ["%s %s: %s" % (b, i, r) for (b, i), r
                                          in sorted(unavailable.items())]}))
    return 0


def print_table(header, rows, left):
    """Columns left-aligned up to `left`, numbers right-aligned after."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = "  ".join("%%-%ds" % w if i < left else "%%%ds" % w
                     for i, w in enumerate(widths))
    print(line % header)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line % row)


def cell_values(cell, key):
    """(zmqcore, pyzmq, ratio) formatted; n/a for an implementation that
    cannot run this bench."""
    out = []
    for impl in _common.IMPLS:
        if impl in cell.get("unavailable", {}):
            out.append("n/a")
        else:
            out.append(fmt_value(cell["medians"][impl][key]))
    zc = cell["medians"]["zmqcore"][key]
    py = cell["medians"]["zmq"][key]
    ratio = (zc / py) if (zc is not None and py) else None
    out.append("-" if ratio is None else "%.2f" % ratio)
    return out


def print_basic(cells, transports, repeats):
    print()
    print("zmqcore vs pyzmq over %s: medians of %d run(s) per cell, "
          "ratio = zmqcore / pyzmq" % (", ".join(transports), repeats))
    print("  throughput: ratio > 1 means zmqcore is faster; "
          "latency: ratio < 1 means zmqcore is faster")
    header = ("bench", "transport", "metric", "size", "copy", "count", "zmqcore",
              "pyzmq", "ratio", "better")
    rows = []
    for cell in cells:
        for key, label, higher in METRICS[cell["bench"]]:
            rows.append((cell["bench"], cell["transport"], label,
                         fmt_size(cell["size"]), "yes" if cell["copy"] else "no",
                         str(cell["count"]), *cell_values(cell, key),
                         "higher" if higher else "lower"))
    print_table(header, rows, 6)


def print_patterns(cells, transports, repeats, window):
    print()
    print("Messaging patterns over %s: medians of %d run(s) per cell, "
          "ratio = zmqcore / pyzmq (> 1: zmqcore is faster)"
          % (", ".join(transports), repeats))
    print("  fanout: 1 PUB -> N SUB, count = messages published; "
          "rr: N DEALER -> ROUTER echo, count = requests per client, window %d"
          % window)
    print("  (over tcp/ipc each subscriber or client is a process of its own)")
    header = ("bench", "transport", "N", "metric", "size", "count", "zmqcore",
              "pyzmq", "ratio")
    rows = []
    for cell in cells:
        for key, label, _ in METRICS[cell["bench"]]:
            rows.append((cell["bench"], cell["transport"], str(cell["peers"]), label,
                         fmt_size(cell["size"]), str(cell["count"]),
                         *cell_values(cell, key)))
    print_table(header, rows, 5)


def run_cell(bench, transport, size, copy, count, impls, repeats, timeout,
             extra=(), unavailable=None):
    """Both implementations, interleaved, `repeats` times; medians per metric.
    An implementation that reports itself unavailable for `bench` is noted in
    `unavailable` and not run again for that bench."""
    if unavailable is None:
        unavailable = {}
    runs = {impl: [] for impl in _common.IMPLS}
    errors = {}
    warnings = {}
    cell_unavailable = {}
    what = " ".join(str(x).lstrip("-") for x in extra)
    for r in range(repeats):
        for impl in impls:  # interleaved: A B A B ...
            if (bench, impl) in unavailable:
                cell_unavailable[impl] = unavailable[(bench, impl)]
                continue
            print("[%s %s %s %s run %d/%d] %s ..."
                  % (bench, transport, fmt_size(size),
                     what or "copy=%s" % copy, r + 1, repeats,
                     _common.LABELS[impl]), file=sys.stderr, flush=True)
            res = run_script(bench, impl, transport, size, count, copy, timeout,
                             extra)
            if res.get("unavailable"):
                unavailable[(bench, impl)] = cell_unavailable[impl] = res["error"]
                print("    %s" % res["error"], file=sys.stderr)
                continue
            if "error" in res:
                errors[impl] = res["error"]
                print("    failed: %s" % res["error"], file=sys.stderr)
                continue
            if res.get("peer_warning"):
                warnings[impl] = res["peer_warning"]
            if res.get("lost"):
                warnings[impl] = "%d messages lost (HWM)" % res["lost"]
            runs[impl].append(res)
    cell = {"bench": bench, "transport": transport, "size": size, "copy": copy,
            "count": count, "repeats": repeats, "errors": errors,
            "warnings": warnings, "unavailable": cell_unavailable, "medians": {}}
    for impl in _common.IMPLS:
        cell["medians"][impl] = {
            key: (statistics.median(x[key] for x in runs[impl])
                  if runs[impl] else None)
            for key, _, _ in METRICS[bench]
        }
    return cell


if __name__ == "__main__":
    sys.exit(main())
