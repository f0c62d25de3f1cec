"""Shared fixtures for the zmqcore test suites.

The module under test is chosen by the environment:

    ZMQCORE_TEST_IMPL=zmqcore (default)   tests run against zmqcore
    ZMQCORE_TEST_IMPL=zmq                 tests run against pyzmq (the reference)

Differential tests take the ``zmq`` fixture instead of importing a module, so the
same scenario pins pyzmq's behaviour and checks zmqcore against it. Tests that only
make sense for zmqcore (its version, its ``has()``) use ``zmqcore_only``.

Every test is time-bounded by pytest-timeout (``timeout`` in pyproject.toml); the
fixtures here add bounded teardown so a hung context fails the test that leaked it
instead of freezing the run.
"""

import itertools
import os
import re
import shutil
import tempfile
import threading

import pytest

IMPL = os.environ.get("ZMQCORE_TEST_IMPL", "zmqcore").strip().lower()
if IMPL in ("pyzmq", "libzmq"):
    IMPL = "zmq"
if IMPL not in ("zmq", "zmqcore"):
    raise pytest.UsageError(
        "ZMQCORE_TEST_IMPL must be 'zmqcore' or 'zmq', not %r" % IMPL
    )

# Teardown of a context must finish within this many seconds, or the test errors.
TEARDOWN_TIMEOUT = 10.0
# Receive/send timeout (ms) put on sockets made by the `link` fixture, so that a
# broken implementation raises Again instead of hanging until pytest-timeout.
IO_TIMEOUT_MS = 2000


def pytest_report_header(config):
    return "zmqcore differential suite: implementation under test = %s" % IMPL


def _import_impl():
    if IMPL == "zmq":
        import zmq as module
    else:
        import zmqcore as module
    return module


@pytest.fixture(scope="session")
def zmq():
    """The module under test: zmqcore, or pyzmq with ZMQCORE_TEST_IMPL=zmq."""
    try:
        return _import_impl()
    except ImportError as exc:
        pytest.fail(
            "cannot import %s (%s). Build zmqcore first (pip install -e .), or run "
            "the suite against pyzmq with ZMQCORE_TEST_IMPL=zmq." % (IMPL, exc),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def impl_name():
    return IMPL


@pytest.fixture
def zmqcore_only():
    """Skip unless the implementation under test is zmqcore; return the module."""
    if IMPL != "zmqcore":
        pytest.skip("zmqcore-only test (ZMQCORE_TEST_IMPL=%s)" % IMPL)
    try:
        import zmqcore
    except ImportError as exc:
        pytest.fail("cannot import zmqcore: %s" % exc, pytrace=False)
    return zmqcore


def destroy_bounded(context, timeout=TEARDOWN_TIMEOUT):
    """destroy(linger=0) ``context`` from a helper thread; False if it hung."""
    errors = []

    def run():
        try:
            context.destroy(linger=0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=run, name="ctx-teardown", daemon=True)
    t.start()
    t.join(timeout)
    if errors:
        raise errors[0]
    return not t.is_alive()


@pytest.fixture
def ctx(zmq):
    """A fresh Context, destroyed with linger=0 (bounded wait) after the test."""
    context = zmq.Context()
    yield context
    if not destroy_bounded(context):
        pytest.fail(
            "Context.destroy(linger=0) did not return within %.0f s"
            % TEARDOWN_TIMEOUT
        )


_name_counter = itertools.count()


@pytest.fixture
def inproc(request):
    """Factory for unique inproc endpoints: ``inproc()`` or ``inproc("tag")``."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:80]

    def make(tag="ep"):
        return "inproc://%s.%s.%d.%d" % (base, tag, os.getpid(), next(_name_counter))

    return make


@pytest.fixture
def link(zmq, ctx, inproc):
    """``link(type_a, type_b, bind_first=True)`` -> (a, b), a bound, b connected.

    Both sockets get RCVTIMEO/SNDTIMEO of IO_TIMEOUT_MS so misbehaviour raises
    Again rather than hanging.
    """

    def make(type_a, type_b, bind_first=True, timeout_ms=IO_TIMEOUT_MS, **opts):
        a = ctx.socket(type_a)
        b = ctx.socket(type_b)
        for s in (a, b):
            s.rcvtimeo = timeout_ms
            s.sndtimeo = timeout_ms
            for name, value in opts.items():
                setattr(s, name, value)
        ep = inproc()
        if bind_first:
            a.bind(ep)
            b.connect(ep)
        else:
            b.connect(ep)
            a.bind(ep)
        return a, b

    return make


class _Worker:
    """A background thread whose exception (if any) is re-raised by join()."""

    def __init__(self, target, args, kwargs, name):
        self.result = None
        self.exc = None
        self._target = target
        self.thread = threading.Thread(
            target=self._run, args=args, kwargs=kwargs, name=name, daemon=True
        )

    def _run(self, *args, **kwargs):
        try:
            self.result = self._target(*args, **kwargs)
        except BaseException as exc:  # re-raised in the test thread
            self.exc = exc

    def start(self):
        self.thread.start()
        return self

    def is_alive(self):
        return self.thread.is_alive()

    def join(self, timeout=TEARDOWN_TIMEOUT):
        """Wait for the thread; fail if it is still running, re-raise its error."""
        self.thread.join(timeout)
        if self.thread.is_alive():
            pytest.fail("background thread %r still running after %.1f s"
                        % (self.thread.name, timeout))
        if self.exc is not None:
            raise self.exc
        return self.result


@pytest.fixture
def spawn():
    """``spawn(fn, *args)`` starts fn in a daemon thread and returns a _Worker.

    Workers not joined by the test are joined (bounded) at teardown, so a thread
    left behind is reported instead of silently leaking into later tests. Request
    this fixture *after* ``ctx`` so that it is torn down first.
    """
    workers = []

    def start(fn, *args, **kwargs):
        w = _Worker(fn, args, kwargs, name="spawn-%d" % len(workers))
        workers.append(w)
        return w.start()

    yield start
    stuck = []
    for w in workers:
        w.thread.join(TEARDOWN_TIMEOUT)
        if w.thread.is_alive():
            stuck.append(w.thread.name)
    if stuck:
        pytest.fail("background threads still running at teardown: %s" % stuck)


# ---------------------------------------------------------------------------
# tcp:// and ipc:// suites (tests/interop, tests/wire).
#
# There, one side is always pyzmq/libzmq (the reference peer, fixture `libzmq`,
# contexts from `lctx`) or a raw Python socket, and the other side is the `zmq`
# fixture. With ZMQCORE_TEST_IMPL=zmq both sides are libzmq, which validates the
# tests themselves.

NOT_IMPLEMENTED_REASON = "socket type not implemented yet"


@pytest.fixture(scope="session")
def libzmq():
    """pyzmq (bundling libzmq): the reference peer, whatever ZMQCORE_TEST_IMPL says."""
    try:
        import zmq as module
    except ImportError as exc:  # pragma: no cover - pyzmq is a test dependency
        pytest.fail("the interop suites need pyzmq as reference peer: %s" % exc,
                    pytrace=False)
    return module


@pytest.fixture
def lctx(libzmq):
    """A fresh pyzmq Context for the reference peer, destroyed with linger=0."""
    context = libzmq.Context()
    yield context
    if not destroy_bounded(context):
        pytest.fail("libzmq Context.destroy(linger=0) did not return within %.0f s"
                    % TEARDOWN_TIMEOUT)


@pytest.fixture
def endpoint(request, tmp_path):
    """``endpoint(transport)`` -> an endpoint to bind, unique to this test.

    - "tcp": ``tcp://127.0.0.1:*`` (read the port back from LAST_ENDPOINT)
    - "ipc": ``ipc://<path>`` in tmp_path (or a short private dir if tmp_path is
      too long for sun_path)
    - "ipc-abstract": ``ipc://@<unique name>`` (Linux abstract namespace)
    - "inproc": ``inproc://<unique name>``
    """
    counter = itertools.count()
    base = str(tmp_path)
    short_dir = []
    if len(base) > 80:
        short_dir.append(tempfile.mkdtemp(prefix="zc-"))
        base = short_dir[0]

    def make(transport="tcp"):
        n = next(counter)
        if transport == "tcp":
            return "tcp://127.0.0.1:*"
        if transport == "ipc":
            return "ipc://%s/s%d" % (base, n)
        if transport == "ipc-abstract":
            return "ipc://@zmqcore-test-%d-%d-%d" % (os.getpid(), next(_name_counter), n)
        if transport == "inproc":
            return "inproc://zmqcore-test-%d-%d" % (next(_name_counter), n)
        raise ValueError("unknown transport %r" % transport)

    yield make
    for d in short_dir:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def require_socket_types(zmq, impl_name):
    """``require_socket_types("REQ", ...)`` skips the test when zmqcore lacks a type.

    Decided by trying ``ctx.socket(type)``; never skips under ZMQCORE_TEST_IMPL=zmq.
    """
    def check(*names):
        if impl_name != "zmqcore":
            return
        context = zmq.Context()
        try:
            for name in names:
                try:
                    s = context.socket(getattr(zmq, name))
                except (zmq.ZMQError, AttributeError):
                    pytest.skip("%s: %s" % (NOT_IMPLEMENTED_REASON, name))
                s.close(linger=0)
        finally:
            destroy_bounded(context)

    return check


@pytest.fixture
def monitor_socket(ctx, lctx):
    """``monitor_socket(sock, events=None)`` -> the PAIR from sock.get_monitor_socket().

    Teardown is ordered to avoid a libzmq 4.3.5 hazard: its I/O thread sends monitor
    events with a *blocking* send, so if the PAIR is closed (or full, 1000 events)
    while the monitored socket can still emit events, the I/O thread blocks forever.
    So: drain the PAIR, disable_monitor() on the monitored socket, drain, then close
    the PAIR -- all before the contexts are destroyed.
    """
    pairs = []

    def make(sock, events=None):
        if events is None:
            mon = sock.get_monitor_socket()
        else:
            mon = sock.get_monitor_socket(events)
        pairs.append((sock, mon))
        return mon

    yield make

    def drain(mon):
        try:
            while mon.poll(0):
                mon.recv_multipart()
        except Exception:
            pass

    for sock, mon in reversed(pairs):
        drain(mon)
        if not sock.closed:
            try:
                sock.disable_monitor()
            except Exception:
                pass
        drain(mon)
        try:
            mon.close(linger=0)
        except Exception:
            pass
