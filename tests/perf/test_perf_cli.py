"""python -m zmqcore.perf end to end, in tiny configurations: the JSON it writes,
the tables it prints, the worker's own output, the two-host scripts, --plot.

Nothing here asserts on speed: only that every number is there and sane
(positive, finite). Each test runs a handful of short benchmark processes and
is bounded by PROC_TIMEOUT.
"""

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROC_TIMEOUT = 50
HAVE_PYZMQ = importlib.util.find_spec("zmq") is not None
IMPLS = ["zmqcore", "pyzmq"] if HAVE_PYZMQ else ["zmqcore"]
METRICS = {
    "thr": ["msgs_per_s", "mb_per_s", "cpu_us_per_msg"],
    "lat": ["mean_us", "p50_us", "p99_us", "p999_us", "cpu_us_per_msg"],
    "fanout": ["sub_msgs_per_s", "total_msgs_per_s", "cpu_us_per_msg"],
    "rr": ["requests_per_s", "cpu_us_per_msg"],
}

# Runs the CLI in this interpreter and then checks that it never imported
# pyzmq: the baseline lives only in the worker processes.
CLI_NO_PYZMQ = """
import sys
from zmqcore.perf.cli import main
code = main(sys.argv[1:])
if "zmq" in sys.modules:
    print("zmqcore.perf imported pyzmq", file=sys.stderr)
    code = 99
sys.exit(code)
"""


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = REPO + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH")
                              else "")
    return e


def run(argv, timeout=PROC_TIMEOUT):
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          env=env(), cwd=REPO, stdin=subprocess.DEVNULL)
    return proc, time.monotonic() - start


def positive(value):
    return isinstance(value, (int, float)) and value > 0 and math.isfinite(value)


def test_cli_tiny_run_json_and_table(tmp_path):
    out = tmp_path / "results.json"
    cpu = str(min(os.sched_getaffinity(0)))
    proc, elapsed = run([sys.executable, "-c", CLI_NO_PYZMQ, "--quick",
                         "--transports", "ipc", "--sizes", "64", "--count", "300",
                         "--subscribers", "2", "--clients", "1", "--pin", cpu,
                         "--impl", "both" if HAVE_PYZMQ else "zmqcore",
                         "--json", str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert elapsed < PROC_TIMEOUT

    data = json.loads(out.read_text())
    assert data["tool"] == "zmqcore.perf"
    assert data["options"]["repeats"] == 1 and data["options"]["pin"] == cpu
    assert sorted(data["impls"]) == sorted(IMPLS)
    assert data["impls"]["zmqcore"]["module"] == "zmqcore"
    assert [c["bench"] for c in data["cells"]] == ["thr", "lat", "fanout", "rr"]
    for cell in data["cells"]:
        assert cell["transport"] == "ipc" and cell["size"] == 64
        assert cell["count"] == 300 and not cell["errors"], cell["errors"]
        assert not cell["warnings"], cell["warnings"]
        assert cell["peers"] == {"fanout": 2, "rr": 1}.get(cell["bench"], 1)
        for impl in IMPLS:
            (result,) = cell["runs"][impl]
            assert result["bench"] == cell["bench"]
            assert result["pinned"] == [int(cpu)]
            # Both ends measured: the peer processes report their CPU time.
            assert result["cpu_peer_s"] > 0 and result["cpu_s"] >= result["cpu_peer_s"]
            for key in METRICS[cell["bench"]]:
                assert positive(result[key]), (cell["bench"], impl, key, result)
                assert cell["median"][impl][key] == result[key]
        if HAVE_PYZMQ:
            for key in METRICS[cell["bench"]]:
                assert positive(cell["ratio"][key])
    lat = data["cells"][1]["runs"]["zmqcore"][0]
    assert lat["p50_us"] <= lat["p99_us"] <= lat["p999_us"] <= lat["max_us"]

    table = proc.stdout
    for title in ("Throughput: PUSH -> PULL", "Latency: REQ/REP", "Fan-out: 1 PUB",
                  "Requests: N DEALER"):
        assert title in table
    for header in ("msgs/s", "MB/s", "CPU us/msg", "p50 us", "p99.9 us",
                   "msgs/s per SUB", "requests/s"):
        assert header in table
    for impl in IMPLS + ["ratio"] * HAVE_PYZMQ:  # a line of numbers per cell
        assert len(re.findall(r"\s%s\s{2,}[0-9]" % impl, table)) == 4, impl
    assert re.search(r"^ipc\s+yes\s+64 B\s+300\s+zmqcore\s", table, re.M)
    # Progress went to stderr, one line per run.
    assert len(re.findall(r"^\[\s*\d+/%d " % (4 * len(IMPLS)), proc.stderr,
                          re.M)) == 4 * len(IMPLS)

    # The same tables again from the file, without running anything.
    again, _ = run([sys.executable, "-m", "zmqcore.perf", "--from-json", str(out)])
    assert again.returncode == 0 and again.stdout == table


def test_raw_baseline_rows(tmp_path):
    """thr over ipc and tcp with the raw-socket baseline: a raw run per cell
    that loads no ZeroMQ module, each implementation's share of it, the raw
    line and the "of raw" column in the table, --from-json and --plot."""
    out = tmp_path / "raw.json"
    argv = [sys.executable, "-c", CLI_NO_PYZMQ, "--benches", "thr",
            "--transports", "ipc,tcp", "--sizes", "64,64K", "--count", "50",
            "--repeats", "1", "--impl", "both" if HAVE_PYZMQ else "zmqcore",
            "--json", str(out)]
    if importlib.util.find_spec("matplotlib") is not None:
        argv += ["--plot", str(tmp_path / "raw.png")]
    proc, _ = run(argv)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert sorted(data["impls"]) == sorted(IMPLS)  # raw is no implementation
    cells = {(c["transport"], c["size"]): c for c in data["cells"]}
    assert sorted(cells) == [("ipc", 64), ("ipc", 65536), ("tcp", 64), ("tcp", 65536)]
    for (transport, size), cell in cells.items():
        assert not cell["errors"], cell["errors"]
        assert cell["raw"] == (size == 65536)  # auto: from 64 KiB up
        if not cell["raw"]:
            assert "raw" not in cell["runs"] and not cell["raw_share"]
            continue
        (result,) = cell["runs"]["raw"]
        assert result["raw"] and result["zmq_modules"] == []
        assert result["transport"] == transport and result["size"] == size
        assert result["count"] == 50 and result["cpu_peer_s"] > 0
        for key in METRICS["thr"]:
            assert positive(result[key]), (transport, key, result)
        for impl in IMPLS:
            assert cell["raw_share"][impl] == pytest.approx(
                cell["median"][impl]["mb_per_s"] / result["mb_per_s"])
    table = proc.stdout
    assert re.search(r"\sof raw\n", table) and "no ZeroMQ" in table
    assert len(re.findall(r"^\s+raw\s{2,}[0-9]", table, re.M)) == 2
    assert len(re.findall(r"\szmqcore\s.*\s[0-9]+ %$", table, re.M)) == 2
    assert len(re.findall(r"^\[\s*\d+/%d " % (4 * len(IMPLS) + 2), proc.stderr,
                          re.M)) == 4 * len(IMPLS) + 2
    again, _ = run([sys.executable, "-m", "zmqcore.perf", "--from-json", str(out)])
    assert again.returncode == 0 and again.stdout == table


def test_raw_baseline_plan():
    from zmqcore.perf import cli

    def raw_cells(*argv):
        args = cli.build_parser().parse_args(list(argv))
        return [(c["transport"], c["size"]) for c in cli.plan(args, 1.0) if c["raw"]]
    big = [(t, s) for t in ("ipc", "tcp") for s in (65536, 1048576)]
    assert raw_cells() == big
    assert raw_cells("--quick") == [("ipc", 1048576), ("tcp", 1048576)]
    assert raw_cells("--raw", "no") == []
    assert raw_cells("--raw", "all", "--transports", "tcp", "--sizes", "1,1M") == [
        ("tcp", 1), ("tcp", 1048576)]
    assert raw_cells("--benches", "lat,rr") == []


def test_worker_inproc_one_json_line():
    proc, _ = run([sys.executable, "-m", "zmqcore.perf.worker", "--module", "zmqcore",
                   "--bench", "thr", "--transport", "inproc", "--size", "1024",
                   "--count", "1000", "--no-copy"])
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    result = json.loads(line)
    assert result["module"] == "zmqcore" and result["copy"] is False
    assert result["count"] == 1000 and result["cpu_msgs"] == 1000
    assert positive(result["msgs_per_s"]) and positive(result["cpu_us_per_msg"])
    assert result["cpu_peer_s"] == 0  # the sender was a thread of the worker


def test_worker_reports_a_missing_module():
    proc, _ = run([sys.executable, "-m", "zmqcore.perf.worker", "--module",
                   "no_such_zmq_module", "--bench", "thr", "--count", "10"])
    assert proc.returncode == 2
    result = json.loads(proc.stdout)
    assert result["unavailable"] and "no_such_zmq_module" in result["error"]


def test_two_host_scripts_over_ipc(tmp_path):
    endpoint = "ipc://" + str(tmp_path / "thr.ipc")
    local = subprocess.Popen([sys.executable, "benchmarks/local_thr.py", endpoint,
                              "16", "2000", "--json"], cwd=REPO, env=env(),
                             stdout=subprocess.PIPE, text=True)
    try:
        remote, _ = run([sys.executable, "benchmarks/remote_thr.py", endpoint, "16",
                         "2000", "--hold", "0.2"])
        assert remote.returncode == 0, remote.stderr
        out, _ = local.communicate(timeout=PROC_TIMEOUT)
    finally:
        local.kill()
        local.wait()
    result = json.loads(out)
    assert result["count"] == 2000 and positive(result["msgs_per_s"])


def test_compare_py_is_the_cli():
    proc, _ = run([sys.executable, "benchmarks/compare.py", "--help"])
    assert proc.returncode == 0
    assert "python -m zmqcore.perf" in proc.stdout and "--quick" in proc.stdout


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    proc, _ = run([sys.executable, "-m", "zmqcore.perf", "--impl", "zmqcore",
                   "--benches", "thr", "--transports", "inproc", "--sizes", "64,1K",
                   "--count", "200", "--repeats", "2", "--json", str(out),
                   "--plot", str(png)])
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch, capsys):
    from zmqcore.perf import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    with pytest.raises(SystemExit) as exc:
        cli.main(["--plot", "x.png", "--benches", "thr"])
    assert exc.value.code == 2
    assert "pip install 'zmqcore[plot]'" in capsys.readouterr().err
