"""The raw-socket baseline of thr: ``python -I zmqcore/perf/raw.py``.

The same count of `size`-byte writes as a thr run, over a plain stream socket
(loopback tcp with TCP_NODELAY, or a unix socket for ipc) and no ZeroMQ at
all: the sender (a child process) calls sendall() in a loop; the receiver (the
timing side, this process) reads with recv_into() into one preallocated
buffer (`size` bytes, at least 64 KiB) and times the interval from its first
recv to the last byte, like thr's receiver. Throughput counts the bytes after
that first recv: MB/s, and msgs/s = those bytes / size.

Below 64 KiB the kernel coalesces the writes into large segments and the
receiver reads many "messages" per call, so there the numbers are no
baseline for a message-framed transport.

This file is run by path (python -I, so that neither the script's directory
nor PYTHONPATH is searched) and imports only the standard library: no
zmqcore package, no pyzmq. It prints one JSON line like a thr worker's (see
worker.py), and lists in "zmq_modules" any ZeroMQ module that got loaded
anyway (none is expected).
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

try:
    import resource
except ImportError:  # not on POSIX
    resource = None

MIN_BUFFER = 65536
DEFAULT_TIMEOUT = 30.0
PATH = os.path.abspath(__file__)


def command(transport, size, count, pin=None, timeout=None, role=None,
            endpoint=None):
    """argv of a raw run (or, with role="sender", of its sender)."""
    argv = [sys.executable, "-I", PATH, "--transport", transport, "--size", str(size),
            "--count", str(count)]
    for name, value in (("pin", pin), ("timeout", timeout), ("role", role),
                        ("endpoint", endpoint)):
        if value is not None:
            argv += ["--" + name, str(value)]
    return argv


def cpu_times():
    """(user, system) seconds used so far by this process, all threads."""
    if resource is not None:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime, ru.ru_stime
    t = os.times()
    return t.user, t.system


def cpu_since(start):
    """(user, system) seconds used since `start` (a cpu_times() value)."""
    now = cpu_times()
    return now[0] - start[0], now[1] - start[1]


def stream_socket(transport):
    family = socket.AF_INET if transport == "tcp" else socket.AF_UNIX
    sock = socket.socket(family, socket.SOCK_STREAM)
    if transport == "tcp":
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def address(transport, endpoint):
    if transport == "tcp":
        host, port = endpoint.rsplit(":", 1)
        return host, int(port)
    return endpoint


def sender(p):
    """Connect, write count x size bytes, wait for the receiver to close."""
    cpu0 = cpu_times()
    payload = b"\x5a" * p.size
    with stream_socket(p.transport) as sock:
        sock.settimeout(p.timeout)
        sock.connect(address(p.transport, p.endpoint))
        sendall = sock.sendall
        for _ in range(p.count):
            sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1)  # EOF: the receiver has everything
    user, system = cpu_since(cpu0)
    print(json.dumps({"cpu_user_s": user, "cpu_sys_s": system}), flush=True)


def receive(conn, size, count):
    """Read count x size bytes; returns (bytes after the first recv, seconds)."""
    buf = bytearray(max(size, MIN_BUFFER))
    view = memoryview(buf)
    recv_into = conn.recv_into
    left = size * count
    first = recv_into(view, min(len(buf), left))
    start = time.perf_counter()
    if first == 0:
        raise RuntimeError("sender closed before sending")
    left -= first
    chunk = len(buf)
    while left >= chunk:
        n = recv_into(view)
        if not n:
            raise RuntimeError("sender closed with %d bytes missing" % left)
        left -= n
    while left:
        n = recv_into(view, left)
        if not n:
            raise RuntimeError("sender closed with %d bytes missing" % left)
        left -= n
    return size * count - first, time.perf_counter() - start


def receiver(p):
    """The timing side: listen, start the sender, accept, read, report."""
    if p.transport == "tcp":
        endpoint = None
    else:
        endpoint = os.path.join(tempfile.gettempdir(), "zmqcore-perf-raw-%d-%s.ipc"
                                % (os.getpid(), uuid.uuid4().hex[:8]))
    cpu0 = cpu_times()
    peer = None
    try:
        with stream_socket(p.transport) as listener:
            listener.bind(("127.0.0.1", 0) if endpoint is None else endpoint)
            listener.listen(1)
            listener.settimeout(p.timeout)
            if endpoint is None:
                endpoint = "127.0.0.1:%d" % listener.getsockname()[1]
            peer = subprocess.Popen(command(p.transport, p.size, p.count,
                                            timeout=p.timeout, role="sender",
                                            endpoint=endpoint),
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            conn, _ = listener.accept()
        with conn:
            conn.settimeout(p.timeout)
            nbytes, elapsed = receive(conn, p.size, p.count)
        out, _ = peer.communicate(timeout=p.timeout)
        if peer.returncode != 0:
            raise RuntimeError("sender exited with code %d" % peer.returncode)
        report = json.loads(out.decode().strip().splitlines()[-1])
    finally:
        if peer is not None and peer.poll() is None:
            peer.kill()
            peer.wait()
        if p.transport != "tcp" and endpoint:
            try:
                os.unlink(endpoint)
            except OSError:
                pass
    user, system = cpu_since(cpu0)
    # The sender was waited for: its CPU time is also in RUSAGE_CHILDREN, but
    # it reports its own, like a worker's peer.
    peer_s = report["cpu_user_s"] + report["cpu_sys_s"]
    cpu = user + system + peer_s
    mb_per_s = nbytes / elapsed / 1e6 if elapsed > 0 else float("inf")
    return {
        "bench": "thr",
        "raw": True,
        "transport": p.transport,
        "size": p.size,
        "count": p.count,
        "copy": None,
        "elapsed_s": elapsed,
        "msgs_per_s": mb_per_s * 1e6 / p.size,
        "mb_per_s": mb_per_s,
        "cpu_msgs": p.count,
        "cpu_user_s": user + report["cpu_user_s"],
        "cpu_sys_s": system + report["cpu_sys_s"],
        "cpu_peer_s": peer_s,
        "cpu_s": cpu,
        "cpu_us_per_msg": cpu * 1e6 / p.count,
        "module": "socket",
        "pinned": sorted(os.sched_getaffinity(0)) if p.pin else None,
        "zmq_modules": sorted(m for m in sys.modules
                              if m.split(".")[0] in ("zmq", "zmqcore")),
    }


def parse_cpus(text):
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        if lo:
            cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def main(argv=None):
    ap = argparse.ArgumentParser(prog="raw.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--transport", choices=("tcp", "ipc"), required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--pin", default=None)
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    ap.add_argument("--role", choices=("sender",), default=None)
    ap.add_argument("--endpoint", default=None)
    p = ap.parse_args(argv)
    if p.role == "sender":
        sender(p)
        return 0
    if p.size < 1 or p.count < 2:
        print(json.dumps({"error": "size must be >= 1 and count >= 2"}))
        return 1
    if p.pin:
        os.sched_setaffinity(0, parse_cpus(p.pin))  # the sender inherits it

    def on_sigterm(signum, frame):  # the CLI's timeout: still clean up
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        result = receiver(p)
    except Exception as exc:
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}), flush=True)
        return 1
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
