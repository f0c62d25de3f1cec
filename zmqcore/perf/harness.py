"""What every benchmark needs whatever the transport and the implementation.

Endpoints (inproc name, ephemeral loopback tcp port, ipc path under the temp
directory), sockets with timeouts, waiting for the first message without
hanging on a dead peer, the peer itself (a thread for inproc, a child process
for tcp/ipc), a control channel for benchmarks with several peers, and the CPU
time of both ends.

Nothing here imports a ZeroMQ module: the implementation under test is passed
in as ``zmq`` (zmqcore or pyzmq, imported by the worker process that runs the
benchmark; see worker.py).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

# CPU time of a process, all its threads (I/O threads included): shared with
# the raw-socket baseline, which imports nothing but the standard library.
from zmqcore.perf.raw import cpu_since, cpu_times  # noqa: F401

TRANSPORTS = ("inproc", "ipc", "tcp")

# Seconds a blocking send/recv may wait once a run is going (RCVTIMEO/SNDTIMEO,
# and the sender's LINGER) when the peer is another process, and how long the
# first message may take to come (that includes starting the peer interpreter).
# Over inproc the peer is a thread of this process and there is no timeout in
# the measured loops by default: a blocking recv with RCVTIMEO costs ~0.2 us
# more per call, which would skew inproc latency; a peer thread that fails
# ends the process instead (ThreadPeer).
DEFAULT_TIMEOUT = 30.0
POLL_TICK_MS = 100


class PeerError(RuntimeError):
    """The other end failed, or nothing arrived in time."""


def resolve_timeout(timeout, transport):
    """`timeout` as given, else the default for the transport (see DEFAULT_TIMEOUT)."""
    if timeout is not None:
        return timeout
    return 0 if transport == "inproc" else DEFAULT_TIMEOUT


def to_ms(seconds):
    """Seconds (None or <= 0: forever) -> a ZMQ timeout option value in ms."""
    if seconds is None or seconds <= 0:
        return -1
    return max(1, int(seconds * 1000))


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        raise ValueError("no samples")
    n = len(sorted_values)
    rank = max(1, min(n, int(-(-n * q // 100))))  # ceil(n*q/100), 1..n
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------
# Endpoints and sockets
# --------------------------------------------------------------------------

def bind_endpoint(transport, tag):
    """The endpoint the timing side binds: a fixed inproc name, an ephemeral
    loopback port, or a fresh path under the temp directory."""
    if transport == "inproc":
        return "inproc://zmqcore-perf-%s-%s" % (tag, uuid.uuid4().hex[:8])
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    if transport == "ipc":
        name = "zmqcore-perf-%s-%d-%s.ipc" % (tag, os.getpid(), uuid.uuid4().hex[:8])
        return "ipc://" + os.path.join(tempfile.gettempdir(), name)
    raise ValueError("transport must be one of %s" % (TRANSPORTS,))


def cleanup_endpoint(endpoint):
    """Remove an ipc:// socket file if it is still there."""
    if endpoint.startswith("ipc://"):
        try:
            os.unlink(endpoint[len("ipc://"):])
        except OSError:
            pass


def open_socket(zmq, ctx, kind, endpoint, bind, hwm=None):
    """A socket of `kind` bound or connected to `endpoint`."""
    sock = ctx.socket(kind)
    try:
        if hwm is not None:
            sock.sndhwm = hwm
            sock.rcvhwm = hwm
        if bind:
            sock.bind(endpoint)
        else:
            sock.connect(endpoint)
    except BaseException:
        sock.close(linger=0)
        raise
    return sock


def set_timeouts(sock, seconds):
    ms = to_ms(seconds)
    sock.rcvtimeo = ms
    sock.sndtimeo = ms


def last_endpoint(sock):
    ep = sock.last_endpoint
    return ep.decode() if isinstance(ep, bytes) else ep


def _ticks(timeout, failed, what, late):
    """Yields once per wait of the caller's until it stops iterating; after
    each, raises PeerError if the peer failed (`failed()` returns a reason) or
    `timeout` seconds (None or <= 0: forever) are over (with late())."""
    deadline = None if timeout is None or timeout <= 0 else time.monotonic() + timeout
    while True:
        yield
        if failed is not None:
            reason = failed()
            if reason:
                raise PeerError("%s failed: %s" % (what, reason))
        if deadline is not None and time.monotonic() >= deadline:
            raise PeerError(late())


def wait_for(zmq, sock, event, timeout, failed=None, what="peer"):
    """Block until `sock` is ready for `event` (zmq.POLLIN/POLLOUT), polling in
    short ticks so that a dead peer, the timeout and Ctrl-C are all noticed."""
    for _ in _ticks(timeout, failed, what,
                    lambda: "nothing from the %s within %.1f s" % (what, timeout)):
        if sock.poll(POLL_TICK_MS, event) & event:
            return


def gather(zmq, sock, n, timeout, failed=None, what="peers", tick_ms=POLL_TICK_MS,
           on_tick=None):
    """Receive `n` messages on `sock` (the timing side's control PULL, to which
    every peer reports), waiting in ticks of `tick_ms`: on_tick() is called
    before every wait (e.g. to publish a probe); a dead peer or `timeout`
    seconds for the whole wait end it (see _ticks). Returns the messages."""
    messages = []
    for _ in _ticks(timeout, failed, what, lambda: "%d of %d %s reported within %.1f s"
                    % (len(messages), n, what, timeout)):
        while len(messages) < n:
            if on_tick is not None:
                on_tick()
            if not sock.poll(tick_ms, zmq.POLLIN) & zmq.POLLIN:
                break  # an empty tick: see whether to give up
            while len(messages) < n and sock.poll(0, zmq.POLLIN) & zmq.POLLIN:
                messages.append(sock.recv())
        if len(messages) == n:
            return messages


def report(sock, result):
    """A peer's result (a dict) to the timing side, over the control PUSH."""
    sock.send(json.dumps(result).encode())


class End:
    """One end of a benchmark, as a context manager: its context (its own
    unless `ctx` is given, and then terminated at the end), the sockets it
    opens (closed at the end), and zmq.Again from a blocked send/recv turned
    into PeerError. finish() says the end's part is done: the sockets opened
    with linger=True then linger up to `timeout` s on close, so that what was
    sent gets out (not a SUB: it would wait to re-send its subscriptions to a
    publisher that has gone)."""

    def __init__(self, zmq, ctx=None, timeout=DEFAULT_TIMEOUT, other="peer"):
        self.zmq = zmq
        self.own_ctx = ctx is None
        self.ctx = zmq.Context() if ctx is None else ctx
        self.timeout = timeout
        self.other = other
        self.socks = []
        self.linger = 0

    def open(self, kind, endpoint, bind, hwm=None, linger=True):
        sock = open_socket(self.zmq, self.ctx, kind, endpoint, bind, hwm)
        self.socks.append((sock, linger))
        return sock

    def finish(self, before_close=None):
        """before_close() if given (e.g. wait for the parent's word), then
        lingering closes."""
        if before_close is not None:
            before_close()
        self.linger = to_ms(self.timeout)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        for sock, linger in self.socks:
            sock.close(linger=self.linger if linger else 0)
        if self.own_ctx:
            self.ctx.term()
        if kind is not None and issubclass(kind, self.zmq.Again):
            raise PeerError("timed out: nothing from the %s for %.1f s"
                            % (self.other, self.timeout)) from exc
        return False


# --------------------------------------------------------------------------
# The peer at the other end
# --------------------------------------------------------------------------

class ThreadPeer:
    """The other end as a thread of this process (inproc).

    fatal=True (for runs without timeouts, where the timing side could block
    forever): a failing peer prints its traceback and ends the process.
    """

    def __init__(self, target, name="perf-peer", fatal=False):
        self._target = target
        self._name = name
        self._fatal = fatal
        self._thread = None
        self._error = None

    def start(self, endpoints):
        def body():
            try:
                self._target(endpoints)
            except BaseException as exc:  # reported to the timing side
                self._error = exc
                if self._fatal:
                    traceback.print_exc()
                    print("error: the %s thread failed; exiting" % self._name,
                          file=sys.stderr, flush=True)
                    os._exit(3)
        self._thread = threading.Thread(target=body, name=self._name, daemon=True)
        self._thread.start()

    def failed(self):
        if self._error is not None:
            return "%s: %s" % (type(self._error).__name__, self._error)
        return None

    def finish(self, timeout):
        """Join the thread; returns (None, None): its CPU time is counted by
        this process already."""
        if self._thread is not None:
            self._thread.join(timeout if timeout and timeout > 0 else None)
            if self._thread.is_alive():
                raise PeerError("peer thread still running after %.1f s" % timeout)
        if self._error is not None:
            raise self._error
        return None, None

    def kill(self):
        pass  # threads cannot be killed; the peer's own timeouts end it


class ProcessPeer:
    """The other end as a child process running `command(endpoints)` (a
    worker in a --role). The child watches its stdin (see watch_parent):
    finish() closes it to say "done", and it reaches EOF if this process dies;
    kill() ends the child in any case. The child prints one JSON line on its
    stdout as it exits: its CPU time (see worker.py)."""

    def __init__(self, command):
        self._command = command
        self.proc = None

    def start(self, endpoints):
        self.proc = subprocess.Popen(self._command(endpoints), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def failed(self):
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is not None and rc != 0:
            return "peer process exited with code %d" % rc
        return None

    def finish(self, timeout):
        """Tell the child we are done (close its stdin) and wait for it to exit
        (kill it after `timeout` s). Returns (its report, a warning or None)."""
        if self.proc is None:
            return None, None
        self._close_stdin()
        try:
            rc = self.proc.wait(timeout if timeout and timeout > 0 else None)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, "peer process still running after %.1f s, killed" % timeout
        if rc != 0:
            return None, "peer process exited with code %d" % rc
        # One short line: it fitted in the pipe, so reading after wait() is safe.
        lines = self.proc.stdout.read().decode(errors="replace").strip().splitlines()
        try:
            return json.loads(lines[-1]), None
        except (IndexError, ValueError):
            return None, "peer process reported nothing"

    def kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._close_stdin()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def _close_stdin(self):
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass


class PeerGroup:
    """Peers (ThreadPeer or ProcessPeer) started together on the same
    endpoints, finished and killed together."""

    def __init__(self, peers):
        self.peers = list(peers)

    def start(self, *endpoints):
        for peer in self.peers:
            peer.start(list(endpoints))

    def failed(self):
        for i, peer in enumerate(self.peers):
            reason = peer.failed()
            if reason:
                return reason if len(self.peers) == 1 else "peer %d: %s" % (i, reason)
        return None

    def finish(self, timeout):
        """Every peer's finish(); raises the first error after trying them all,
        else returns (their reports, their warnings joined or None)."""
        reports, warnings, error = [], [], None
        for peer in self.peers:
            try:
                rep, warning = peer.finish(timeout)
            except BaseException as exc:
                error = error or exc
                continue
            if rep is not None:
                reports.append(rep)
            if warning:
                warnings.append(warning)
        if error is not None:
            raise error
        return reports, "; ".join(warnings) or None

    def kill(self):
        for peer in self.peers:
            peer.kill()


def watch_parent(grace=5.0):
    """In a --role child: watch stdin, which the parent closes when it has what
    it needs (ProcessPeer.finish) and which reaches EOF anyway if the parent
    dies. Returns an Event set at that moment; `grace` seconds later the process
    exits whatever it is doing, so that no orphan keeps running. os.read on the
    raw fd, not sys.stdin, so that interpreter shutdown never waits for this
    thread."""
    gone = threading.Event()

    def watch():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        gone.set()
        time.sleep(grace)
        os._exit(75)
    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
    return gone


def exit_on_sigterm():
    """SIGTERM -> SystemExit, so that the finally blocks still kill the peer
    process and remove the ipc file (the CLI sends SIGTERM on its timeout)."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


def run(bench, zmq, p, peer_command):
    """One run of `bench` (a module: thr, lat, fanout or rr) with both ends on
    this machine: its timing end bench.local(zmq, p, endpoints, ctx, on_bound,
    failed) runs here; its peers (p.peers of them for fanout and rr, else one)
    run bench.peer(zmq, p, endpoints, ctx) in threads (inproc, one shared
    context) or `peer_command(endpoints)` in child processes (tcp, ipc).

    Returns local()'s result with the transport and the CPU time of both ends,
    all threads: this process from before the peers start until they are
    done, plus what each peer process reports of its own (see worker.py);
    cpu_us_per_msg divides that by the messages the run moved
    (result["cpu_msgs"])."""
    peers = p.peers if bench.MANY_PEERS else 1
    ctx = None
    if p.transport == "inproc":
        ctx = zmq.Context()
        group = PeerGroup(
            ThreadPeer(lambda eps: bench.peer(zmq, p, eps, ctx=ctx),
                       name="%s-%s%d" % (bench.NAME, bench.ROLE, i),
                       fatal=not p.timeout)
            for i in range(peers))
    else:
        group = PeerGroup(ProcessPeer(peer_command) for _ in range(peers))
    eps = [bind_endpoint(p.transport, "%s%d" % (bench.NAME, i))
           for i in range(bench.ENDPOINTS)]
    try:
        cpu0 = cpu_times()
        result = bench.local(zmq, p, eps, ctx, group.start, group.failed)
        reports, warning = group.finish(p.timeout)
        user, system = cpu_since(cpu0)
    finally:
        group.kill()
        if ctx is not None:
            ctx.term()
        for ep in eps:
            cleanup_endpoint(ep)
    if warning:
        result["peer_warning"] = warning
        print("warning: " + warning, file=sys.stderr)
    peer_user = sum(r.get("cpu_user_s", 0.0) for r in reports)
    peer_sys = sum(r.get("cpu_sys_s", 0.0) for r in reports)
    cpu = user + system + peer_user + peer_sys
    result.update({
        "transport": p.transport,
        "cpu_user_s": user + peer_user,
        "cpu_sys_s": system + peer_sys,
        "cpu_peer_s": peer_user + peer_sys,
        "cpu_s": cpu,
        "cpu_us_per_msg": cpu * 1e6 / result["cpu_msgs"] if result["cpu_msgs"]
        else None,
    })
    return result
