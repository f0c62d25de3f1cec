"""The tables printed at the end of a run (and by --from-json), from the
results as the CLI stores them (see cli.py for the layout of that dict)."""

from zmqcore.perf import fanout, lat, rr, thr

BENCHES = {m.NAME: m for m in (thr, lat, fanout, rr)}
TITLES = {
    "thr": "Throughput: PUSH -> PULL, the receiver times first to last message",
    "lat": "Latency: REQ/REP round trips, one-way = half a round trip",
    "fanout": "Fan-out: 1 PUB -> N SUB (N = subscribers; count = messages published)",
    "rr": "Requests: N DEALER -> 1 ROUTER echo (count = requests per client)",
}


def fmt_value(v):
    """About three significant digits, k/M/G above 10 000."""
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1e9:
        return "%.2fG" % (v / 1e9)
    if a >= 1e6:
        return "%.2fM" % (v / 1e6)
    if a >= 1e5:
        return "%.0fk" % (v / 1e3)
    if a >= 1e4:
        return "%.1fk" % (v / 1e3)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def fmt_size(n):
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d B" % n


def render(headers, left, rows):
    """Columns aligned under `headers`: the first `left` to the left, the
    others (numbers) to the right."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if j < left else c.rjust(w)
                         for j, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])]
                     + [line(r) for r in rows])


def has_raw(cell):
    return bool(cell["runs"].get("raw") or cell["errors"].get("raw"))


def fmt_share(share):
    return "-" if share is None else "%.0f %%" % (share * 100)


def bench_table(bench, cells, impls, repeats):
    """The table of one benchmark: per cell a line for each implementation's
    medians, then (with both) a line of the ratios zmqcore / pyzmq, and (thr
    over ipc/tcp) a line for the raw-socket baseline, with a column of each
    implementation's MB/s as a share of the baseline's."""
    module = BENCHES[bench]
    both = "zmqcore" in impls and "pyzmq" in impls
    pattern = module.MANY_PEERS
    raw = any(has_raw(c) for c in cells)
    headers = ["transport", "N" if pattern else "copy", "size", "count", ""]
    headers += [label for _, label, _ in module.METRICS]
    headers += ["of raw"] * raw
    rows = []
    for cell in cells:
        keys = [cell["transport"],
                str(cell["peers"]) if pattern else ("yes" if cell["copy"] else "no"),
                fmt_size(cell["size"]), str(cell["count"])]
        for impl in impls:
            values = cell["median"].get(impl, {})
            if impl in cell["errors"] and not cell["runs"].get(impl):
                row = ["failed"] * len(module.METRICS)
            else:
                row = [fmt_value(values.get(key)) for key, _, _ in module.METRICS]
            row += [fmt_share(cell.get("raw_share", {}).get(impl))
                    if has_raw(cell) else ""] * raw
            rows.append(keys + [impl] + row)
            keys = [""] * len(keys)
        if both:
            rows.append(keys + ["ratio"] + [
                "-" if cell["ratio"].get(key) is None else "%.2f" % cell["ratio"][key]
                for key, _, _ in module.METRICS] + [""] * raw)
        if has_raw(cell):
            values = cell["median"].get("raw", {})
            row = [fmt_value(values.get(key)) if values else "failed"
                   for key, _, _ in module.METRICS]
            rows.append(keys + ["raw"] + row + [""])
    runs = "medians of %d interleaved runs" % repeats if repeats > 1 else "1 run each"
    lines = [TITLES[bench], "(%s" % runs]
    if both:
        up = [label for _, label, higher in module.METRICS if higher]
        down = [label for _, label, higher in module.METRICS if not higher]
        lines[1] += "; ratio = zmqcore / pyzmq, better: %s" % "; ".join(
            text for text in ("> 1 for " + ", ".join(up) if up else "",
                              "< 1 for " + ", ".join(down) if down else "") if text)
    lines[1] += ")"
    if raw:
        lines.append("(raw = the same count of size-byte writes over a plain socket, "
                     "sendall -> recv_into, no ZeroMQ;\n of raw = MB/s / raw MB/s. "
                     "Below 64 KiB the kernel coalesces the raw writes: there raw is "
                     "no baseline for messages)")
    return "\n".join(lines + [render(headers, 5, rows)])


def tables(data):
    """All the tables of a run, then its failures and warnings, as text."""
    impls = [i for i in ("zmqcore", "pyzmq") if i in data["impls"]]
    out = []
    for bench in BENCHES:
        cells = [c for c in data["cells"] if c["bench"] == bench]
        if cells:
            out.append(bench_table(bench, cells, impls, data["options"]["repeats"]))
    notes = []
    for cell in data["cells"]:
        where = "%s %s %s" % (cell["bench"], cell["transport"], fmt_size(cell["size"]))
        if cell.get("peers", 1) != 1 or BENCHES[cell["bench"]].MANY_PEERS:
            where += " N=%d" % cell["peers"]
        for impl, errs in sorted(cell["errors"].items()):
            for err in errs:
                notes.append("failed: %s, %s: %s" % (where, impl, err))
        for impl, warns in sorted(cell.get("warnings", {}).items()):
            for warning in warns:
                notes.append("warning: %s, %s: %s" % (where, impl, warning))
    for impl, reason in sorted(data.get("unavailable", {}).items()):
        notes.append("%s not measured: %s" % (impl, reason))
    host = data.get("host", {})
    versions = ", ".join("%s %s" % (impl, info.get("version", "?"))
                         + (" (libzmq %s)" % info["libzmq"]
                            if impl == "pyzmq" and "libzmq" in info else "")
                         for impl, info in data["impls"].items())
    pinned = data["options"].get("pin")
    notes.append("%s; Python %s; %s CPUs, %s; CPU us/msg = both ends, all threads "
                 "(lat: per message, 2 per round trip; rr: request + reply)"
                 % (versions, host.get("python", "?"), host.get("cpus", "?"),
                    "pinned to CPU %s" % pinned if pinned else "not pinned"))
    return "\n\n".join(out) + ("\n\n" if out else "") + "\n".join(notes)
