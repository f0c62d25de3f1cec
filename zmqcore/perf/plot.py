"""--plot FILE.png: the results of a run drawn with matplotlib (an optional
dependency: pip install 'zmqcore[plot]').

One column per transport; rows for throughput (msgs/s and MB/s), latency
(p50 and p99 one-way), CPU per message (thr) against message size, and, if
they were run, fan-out and DEALER -> ROUTER rates against the number of
subscribers or clients. Lines are medians, dots the single runs; zmqcore
solid, pyzmq dashed.
"""

from zmqcore.perf import report

# (bench, result keys, y label, x axis): one row of panels each
ROWS = (
    ("thr", ("msgs_per_s",), "thr [msgs/s]", "size"),
    ("thr", ("mb_per_s",), "thr [MB/s]", "size"),
    ("lat", ("p50_us", "p99_us"), "lat one-way [us]\n(p50 o, p99 ^)", "size"),
    ("thr", ("cpu_us_per_msg",), "thr CPU [us/msg]", "size"),
    ("fanout", ("total_msgs_per_s",), "fan-out, all SUBs [msgs/s]", "peers"),
    ("rr", ("requests_per_s",), "DEALER->ROUTER [req/s]", "peers"),
)
COLORS = {"zmqcore": "tab:blue", "pyzmq": "tab:orange"}
STYLES = {"zmqcore": "-", "pyzmq": "--"}
MARKERS = ("o", "^")


def _series(cells, impl, key, xaxis, both_modes):
    """{label: [(x, median, [run values])]} for one implementation and key:
    one series per copy mode if both_modes (size axis), per message size
    (peers axis)."""
    series = {}
    for cell in cells:
        runs = [r[key] for r in cell["runs"].get(impl, []) if r.get(key) is not None]
        median = cell["median"].get(impl, {}).get(key)
        if median is None:
            continue
        if xaxis == "size":
            # One line across the sizes unless each size ran in both modes.
            label, x = "", cell["size"]
            if both_modes:
                label = "copy" if cell["copy"] else "no copy"
        else:
            label, x = report.fmt_size(cell["size"]), cell["peers"]
        series.setdefault(label, []).append((x, median, runs))
    return series


def plot(data, path):
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install 'zmqcore[plot]'")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = data["cells"]
    transports = [t for t in ("inproc", "ipc", "tcp")
                  if any(c["transport"] == t for c in cells)]
    rows = [r for r in ROWS if any(c["bench"] == r[0] for c in cells)]
    if not rows or not transports:
        raise SystemExit("--plot: no results to draw")
    impls = [i for i in ("zmqcore", "pyzmq") if i in data["impls"]]
    both_modes = data["options"].get("copy") == "both"
    fig, axes = plt.subplots(len(rows), len(transports), squeeze=False,
                             figsize=(4.5 * len(transports), 3.2 * len(rows)))
    for r, (bench, keys, ylabel, xaxis) in enumerate(rows):
        for t, transport in enumerate(transports):
            ax = axes[r][t]
            mine = sorted((c for c in cells
                           if c["bench"] == bench and c["transport"] == transport),
                          key=lambda c: (c["size"], c["peers"]))
            for impl in impls:
                for k, key in enumerate(keys):
                    for label, points in _series(mine, impl, key, xaxis,
                                                 both_modes).items():
                        points.sort(key=lambda p: p[0])
                        xs = [p[0] for p in points]
                        ax.plot(xs, [p[1] for p in points], STYLES[impl],
                                marker=MARKERS[k], color=COLORS[impl], alpha=0.9,
                                label=("%s %s" % (impl, label)).strip()
                                if k == 0 and t == 0 else None)
                        for x, _, runs in points:
                            ax.plot([x] * len(runs), runs, ".", color=COLORS[impl],
                                    alpha=0.35)
            ax.set_yscale("log")
            if xaxis == "size":
                ax.set_xscale("log", base=2)
                sizes = sorted({c["size"] for c in mine})
                ax.set_xticks(sizes)
                ax.set_xticklabels([report.fmt_size(s) for s in sizes], fontsize=7)
            else:
                ax.set_xticks(sorted({c["peers"] for c in mine}))
                ax.set_xlabel("subscribers" if bench == "fanout" else "clients")
            ax.grid(True, which="both", alpha=0.3)
            if r == 0:
                ax.set_title(transport)
            if t == 0:
                ax.set_ylabel(ylabel)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    pinned = data["options"].get("pin")
    copy = {"auto": "copy=False from 64 KiB", "yes": "copy=True",
            "no": "copy=False", "both": "copy=True and False"}.get(
        data["options"].get("copy"), "")
    fig.suptitle("zmqcore.perf %s: medians of %d run(s), %s, %s" % (
        data.get("started", ""), data["options"]["repeats"],
        "pinned to CPU %s" % pinned if pinned else "not pinned", copy))
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=100)
    plt.close(fig)
