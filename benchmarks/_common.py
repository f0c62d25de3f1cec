"""Helpers shared by the benchmark scripts (imported from beside them).

Picking the implementation (--impl zmqcore|zmq), and what the two ends of a
benchmark need whatever the transport: endpoints (inproc name, ephemeral
loopback tcp port, ipc path under the temp directory), sockets with timeouts,
waiting for the first message without hanging on a dead peer, and the peer
itself (a thread for inproc, a child process for tcp/ipc).
"""

import argparse
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


def exit_failed(args, exc, code=1):
    """Report a failed run (one JSON line with --json) and exit."""
    msg = "%s: %s" % (type(exc).__name__, exc)
    if getattr(args, "json", False):
        print(json.dumps({"impl": args.impl, "error": msg}))
    else:
        print("error: " + msg, file=sys.stderr)
    sys.exit(code)


def exit_on_sigterm():
    """SIGTERM -> SystemExit, so that the finally blocks still kill the peer
    process and remove the ipc file (compare.py sends SIGTERM on its timeout)."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


def describe(module):
    version = getattr(module, "__version__", "?")
    libzmq = module.zmq_version() if hasattr(module, "zmq_version") else "?"
    return "%s %s (libzmq %s) from %s" % (
        module.__name__, version, libzmq, os.path.dirname(module.__file__))


# --------------------------------------------------------------------------
# Transports, sockets and the peer at the other end
# --------------------------------------------------------------------------

TRANSPORTS = ("inproc", "tcp", "ipc")

# Seconds a blocking send/recv may wait once a run is going (RCVTIMEO/SNDTIMEO,
# and the sender's LINGER) when the peer is another process, and how long the
# first message may take to come (that includes starting the peer interpreter).
# Over inproc the peer is a thread of this process and there is no timeout in
# the measured loops by default: a blocking recv with RCVTIMEO costs ~0.2 us
# more per call on this kind of machine, which would skew inproc latency; a peer
# thread that fails ends the process instead (ThreadPeer).
DEFAULT_TIMEOUT = 30.0
POLL_TICK_MS = 100


class PeerError(RuntimeError):
    """The other end failed, or nothing arrived in time."""


def add_transport_arg(parser):
    parser.add_argument("--transport", choices=TRANSPORTS, default="inproc",
                        help="inproc: both ends in this process (two threads); "
                             "tcp/ipc: the peer runs in a second process")


def add_timeout_arg(parser, default=None):
    parser.add_argument("--timeout", type=float, default=default,
                        help="seconds a blocked send/recv may wait before the run "
                             "is abandoned, 0 = forever (default: %s)"
                             % ("%g" % default if default is not None else
                                "%g for tcp/ipc, 0 for inproc" % DEFAULT_TIMEOUT))


def resolve_timeout(timeout, transport):
    """--timeout as given, else the default for the transport (see DEFAULT_TIMEOUT)."""
    if timeout is not None:
        return timeout
    return 0 if transport == "inproc" else DEFAULT_TIMEOUT


def to_ms(seconds):
    """Seconds (None or <= 0: forever) -> a ZMQ timeout option value in ms."""
    if seconds is None or seconds <= 0:
        return -1
    return max(1, int(seconds * 1000))


def bind_endpoint(transport, tag):
    """The endpoint the timing side binds: a fixed inproc name, an ephemeral
    loopback port, or a fresh path under the temp directory."""
    if transport == "inproc":
        return "inproc://zmqcore-bench-%s" % tag
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    if transport == "ipc":
        name = "zmqcore-bench-%s-%d-%s.ipc" % (tag, os.getpid(), uuid.uuid4().hex[:8])
        return "ipc://" + os.path.join(tempfile.gettempdir(), name)
    raise ValueError("transport must be one of %s" % (TRANSPORTS,))


def cleanup_endpoint(endpoint):
    """Remove an ipc:// socket file if it is still there."""
    if endpoint.startswith("ipc://"):
        path = endpoint[len("ipc://"):]
        try:
            os.unlink(path)
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


def wait_for(zmq, sock, event, timeout, failed=None, what="peer"):
    """Block until `sock` is ready for `event` (zmq.POLLIN/POLLOUT), polling in
    short ticks so that a dead peer (`failed()` returns a reason), the timeout
    (seconds; None = forever) and Ctrl-C are all noticed."""
    deadline = None if timeout is None or timeout <= 0 else time.monotonic() + timeout
    while True:
        if sock.poll(POLL_TICK_MS, event) & event:
            return
        if failed is not None:
            reason = failed()
            if reason:
                raise PeerError("%s failed: %s" % (what, reason))
        if deadline is not None and time.monotonic() >= deadline:
            raise PeerError("nothing from the %s within %.1f s" % (what, timeout))


class ThreadPeer:
    """The other end as a thread of this process (inproc).

    fatal=True (for runs without timeouts, where the timing side could block
    forever): a failing peer prints its traceback and ends the process.
    """

    def __init__(self, target, name="bench-peer", fatal=False):
        self._target = target
        self._name = name
        self._fatal = fatal
        self._thread = None
        self._error = None

    def start(self, endpoint):
        def body():
            try:
                self._target(endpoint)
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
        if self._thread is not None:
            self._thread.join(timeout if timeout and timeout > 0 else None)
            if self._thread.is_alive():
                raise PeerError("peer thread still running after %.1f s" % timeout)
        if self._error is not None:
            raise self._error
        return None

    def kill(self):
        pass  # threads cannot be killed; the peer's own timeouts end it


class ProcessPeer:
    """The other end as a child process: `command(endpoint)` gives its argv
    (normally this same script in a --role mode). The child watches its stdin
    (see watch_parent): finish() closes it to say "done", and it reaches EOF if
    this process dies; kill() ends the child in any case."""

    def __init__(self, command):
        self._command = command
        self.proc = None

    def start(self, endpoint):
        self.proc = subprocess.Popen(self._command(endpoint), stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL)

    def failed(self):
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is not None and rc != 0:
            return "peer process exited with code %d" % rc
        return None

    def finish(self, timeout):
        """Tell the child we are done (close its stdin) and wait for it to exit
        (it should have, or be about to); kill it after `timeout` s. Returns a
        warning string, or None if clean."""
        if self.proc is None:
            return None
        self._close_stdin()
        try:
            rc = self.proc.wait(timeout if timeout and timeout > 0 else None)
        except subprocess.TimeoutExpired:
            self.kill()
            return "peer process still running after %.1f s, killed" % timeout
        if rc != 0:
            return "peer process exited with code %d" % rc
        return None

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

    def _close_stdin(self):
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass


def peer_command(script, impl, role, endpoint, *options):
    """argv to run `script` as the peer in `role` with the same implementation.
    `endpoint` may be a list: one --endpoint option each, in order."""
    endpoints = [endpoint] if isinstance(endpoint, str) else list(endpoint)
    argv = [sys.executable, os.path.abspath(script), "--role", role, "--impl", impl]
    for ep in endpoints:
        argv += ["--endpoint", ep]
    return argv + [str(o) for o in options]


def impl_name(zmq):
    """The --impl value of an imported implementation module."""
    return "zmqcore" if zmq.__name__.split(".")[0] == "zmqcore" else "zmq"


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


def run_with_peer(zmq, transport, tag, local, thread_peer, script, role, options,
                  timeout):
    """One benchmark run with both ends on this machine, shared by thr.py and
    lat.py: the timing end `local(endpoint, ctx, on_bound, failed)` runs here;
    the peer runs as `thread_peer(endpoint, ctx)` in a thread (inproc, which
    needs one shared context) or as `script --role role` with `options` in a
    child process (tcp, ipc).  Returns local()'s result with the transport."""
    return run_with_peers(zmq, transport, tag, local, thread_peer, script, role,
                          options, timeout)


def run_with_peers(zmq, transport, tag, local, thread_peer, script, role, options,
                   timeout, peers=1, endpoints=1):
    """run_with_peer() with `peers` peers (fanout.py, rr.py) and `endpoints`
    endpoints: local() then gets the list of endpoints to bind (one string if
    there is just one), its on_bound(*actual_endpoints) starts every peer on
    them (a thread each, or a process each, given one --endpoint per
    endpoint), and failed() reports the first peer that failed."""
    ctx = None
    if transport == "inproc":
        ctx = zmq.Context()
        group = PeerGroup(
            ThreadPeer(lambda ep: thread_peer(ep, ctx),
                       name=tag + "-" + role + ("" if peers == 1 else str(i)),
                       fatal=not timeout)
            for i in range(peers))
    else:
        group = PeerGroup(
            ProcessPeer(lambda ep: peer_command(script, impl_name(zmq), role, ep,
                                                *options))
            for _ in range(peers))
    eps = [bind_endpoint(transport, tag if endpoints == 1 else "%s%d" % (tag, i))
           for i in range(endpoints)]
    try:
        result = local(eps[0] if endpoints == 1 else eps, ctx, group.start,
                       group.failed)
        finish_run(group, result, timeout)
    finally:
        group.kill()
        if ctx is not None:
            ctx.term()
        for ep in eps:
            cleanup_endpoint(ep)
    result["transport"] = transport
    return result


class PeerGroup:
    """Peers (ThreadPeer or ProcessPeer) started together on the same
    endpoint(s), finished and killed together."""

    def __init__(self, peers):
        self.peers = list(peers)

    def start(self, *endpoints):
        endpoint = endpoints[0] if len(endpoints) == 1 else list(endpoints)
        for peer in self.peers:
            peer.start(endpoint)

    def failed(self):
        for i, peer in enumerate(self.peers):
            reason = peer.failed()
            if reason:
                return reason if len(self.peers) == 1 else "peer %d: %s" % (i, reason)
        return None

    def finish(self, timeout):
        """Every peer's finish(); raises the first error after trying them all,
        else returns their warnings joined (None if clean)."""
        warnings, error = [], None
        for peer in self.peers:
            try:
                warning = peer.finish(timeout)
            except BaseException as exc:
                error = error or exc
                continue
            if warning:
                warnings.append(warning)
        if error is not None:
            raise error
        return "; ".join(warnings) or None

    def kill(self):
        for peer in self.peers:
            peer.kill()


def finish_run(peer, result, timeout):
    """After the timing side has its numbers: reap the peer and note a problem."""
    warning = peer.finish(timeout)
    if warning:
        result["peer_warning"] = warning
        print("warning: " + warning, file=sys.stderr)
    return result


# --------------------------------------------------------------------------
# Several peers (fanout.py, rr.py): a control channel and socket-type checks
# --------------------------------------------------------------------------

def add_role_endpoint_arg(parser):
    """--endpoint for --role children that get several (one option each)."""
    parser.add_argument("--endpoint", action="append", default=None,
                        help="internal: see --role (given once per endpoint)")


def gather(zmq, sock, n, timeout, failed=None, what="peers", tick_ms=POLL_TICK_MS,
           on_tick=None):
    """Receive `n` messages on `sock` (the timing side's control PULL, to which
    every peer reports), waiting in ticks of `tick_ms`: on_tick() is called
    before every wait (e.g. to publish a probe), failed() after every empty
    one; `timeout` seconds (None or <= 0: forever) bound the whole wait.
    Returns the messages."""
    deadline = None if timeout is None or timeout <= 0 else time.monotonic() + timeout
    messages = []
    while len(messages) < n:
        if on_tick is not None:
            on_tick()
        if sock.poll(tick_ms, zmq.POLLIN) & zmq.POLLIN:
            while len(messages) < n and sock.poll(0, zmq.POLLIN) & zmq.POLLIN:
                messages.append(sock.recv())
            continue
        if failed is not None:
            reason = failed()
            if reason:
                raise PeerError("%s failed: %s" % (what, reason))
        if deadline is not None and time.monotonic() >= deadline:
            raise PeerError("%d of %d %s reported within %.1f s"
                            % (len(messages), n, what, timeout))
    return messages


def report(sock, result):
    """A peer's result (a dict) to the timing side, over the control PUSH."""
    sock.send(json.dumps(result).encode())


def missing_socket_types(zmq, *names):
    """None if the implementation has every socket type in `names`, else why
    not (its ctx.socket() refuses an unknown type with EINVAL)."""
    label = LABELS.get(impl_name(zmq), zmq.__name__)
    ctx = zmq.Context()
    try:
        for name in names:
            kind = getattr(zmq, name, None)
            if kind is None:
                return "%s has no zmq.%s" % (label, name)
            try:
                sock = ctx.socket(kind)
            except zmq.ZMQError as exc:
                if exc.errno == zmq.EINVAL:
                    return "%s has no %s sockets yet" % (label, name)
                raise
            sock.close(linger=0)
    finally:
        ctx.term()
    return None


def exit_if_missing(args, zmq, *names):
    """Exit with code 3 and an "unavailable" report (one JSON line with --json,
    which compare.py shows as n/a) if a socket type is missing."""
    reason = missing_socket_types(zmq, *names)
    if reason is None:
        return
    if getattr(args, "json", False):
        print(json.dumps({"impl": args.impl, "error": "unavailable: " + reason,
                          "unavailable": True}))
    else:
        print("unavailable: " + reason, file=sys.stderr)
    sys.exit(3)


# --------------------------------------------------------------------------
# The libzmq-style two-host scripts (local_thr.py, remote_thr.py, local_lat.py,
# remote_lat.py)
# --------------------------------------------------------------------------

def two_host_parser(doc, address, count):
    """Arguments of the libzmq-style scripts (local_thr.py and friends):
    <address> <message-size> <count>, then our options."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        epilog=doc.split("\n\n", 1)[1] if "\n\n" in doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("address", metavar=address,
                        help="endpoint, e.g. tcp://*:5555, tcp://host:5555, "
                             "ipc:///tmp/bench.ipc")
    parser.add_argument("size", metavar="message-size", type=int,
                        help="bytes per message")
    parser.add_argument("count", metavar=count, type=int)
    add_impl_arg(parser)
    parser.add_argument("--no-copy", dest="copy", action="store_false",
                        help="send(copy=False) and recv(copy=False)")
    add_timeout_arg(parser, default=DEFAULT_TIMEOUT)
    return parser


def add_hold_arg(parser):
    """For the two-host ends that send last (remote_thr.py, local_lat.py)."""
    parser.add_argument("--hold", type=float, default=1.0,
                        help="seconds to stay connected after the last message "
                             "before closing (default %(default)s; 0 closes at "
                             "once like libzmq, which can make a zmqcore receiver "
                             "lose the last message(s))")


def hold(seconds):
    """A before_close callback that keeps the connection up for `seconds`."""
    return (lambda: time.sleep(seconds)) if seconds > 0 else None
