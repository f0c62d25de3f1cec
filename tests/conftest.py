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
