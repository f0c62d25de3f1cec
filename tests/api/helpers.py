"""Helpers shared by the differential suites (tests/api, and tests/interop for pub/sub).

Nothing here imports an implementation: every helper that needs constants or
exception types takes the module (the ``zmq`` fixture, or pyzmq for a libzmq peer)
as a parameter, so the same helper serves zmqcore and pyzmq. Socket type and option
numbers are the same in both, so a helper given either module works on sockets of
either implementation.
"""

import errno
import itertools
import threading
import time

TIMEOUT_MS = 5000
DEADLINE = 10.0  # seconds any probing loop may take before the test fails
TEARDOWN_S = 10.0

_counter = itertools.count()


# --- sockets ---------------------------------------------------------------------


def make_socket(ctx, socket_type, timeout_ms=TIMEOUT_MS, **attrs):
    """A socket with RCVTIMEO/SNDTIMEO ``timeout_ms`` and LINGER 0, then ``attrs``
    set as attributes (``sndhwm=10``)."""
    s = ctx.socket(socket_type)
    s.rcvtimeo = timeout_ms
    s.sndtimeo = timeout_ms
    s.linger = 0
    for name, value in attrs.items():
        setattr(s, name, value)
    return s


def make_socket_opts(zmq, ctx, socket_type, timeout_ms=TIMEOUT_MS, **options):
    """Like make_socket, but ``options`` are constant names of ``zmq`` set with
    setsockopt (``REQ_RELAXED=1``; the name is upper-cased first)."""
    s = make_socket(ctx, socket_type, timeout_ms)
    for name, value in options.items():
        s.setsockopt(getattr(zmq, name.upper()), value)
    return s


def transport_binder(zmq, transport, inproc):
    """``bind(sock)`` over ``transport`` ("inproc" or "tcp"); returns the endpoint
    to connect to."""

    def bind(sock):
        if transport == "inproc":
            ep = inproc()
            sock.bind(ep)
            return ep
        sock.bind("tcp://127.0.0.1:*")
        return sock.getsockopt(zmq.LAST_ENDPOINT).decode()

    return bind


def rebind(sock, ep, deadline=5.0):
    """Bind ``ep`` again; the old listener may take a moment to go (EADDRINUSE)."""
    end = time.monotonic() + deadline
    while True:
        try:
            sock.bind(ep)
            return
        except Exception as exc:  # ZMQError of either implementation
            if getattr(exc, "errno", None) != errno.EADDRINUSE or time.monotonic() > end:
                raise
            time.sleep(0.02)


def term_bounded(ctx, *own_sockets, timeout=TEARDOWN_S):
    """Close the test's own sockets, then terminate ctx (bounded)."""
    for s in own_sockets:
        s.close(linger=0)
    t = threading.Thread(target=ctx.term, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "ctx.term() hung"


def recv_bytes(s, rid, n):
    """n bytes of data from connection rid of STREAM s (reads may split them)."""
    buf = b""
    while len(buf) < n:
        got_id, data = s.recv_multipart()
        assert got_id == rid
        assert data, "connection %r closed after %d of %d bytes" % (rid, len(buf), n)
        buf += data
    return buf


# --- pub/sub probes --------------------------------------------------------------


def subscribe(zmq, s, topic):
    """Subscribe a SUB (subscribe()) or an XSUB (send(b'\\x01' + topic))."""
    if s.type == zmq.XSUB:
        s.send(b"\x01" + topic)
    else:
        s.subscribe(topic)


def unsubscribe(zmq, s, topic):
    if s.type == zmq.XSUB:
        s.send(b"\x00" + topic)
    else:
        s.unsubscribe(topic)


def sync(zmq, pub, subs, topic=b"", timeout=DEADLINE):
    """Return once every subscriber in ``subs`` gets what ``pub`` publishes on ``topic``.

    Probes ``topic + b'~probe'`` until each subscriber has one, then sends a marker
    and reads every subscriber up to it (nothing else may be there). A probe that
    an XPUB_NODROP publisher refuses (EAGAIN) is skipped.
    """
    if not isinstance(subs, (list, tuple)):
        subs = [subs]
    probe = topic + b"~probe"
    marker = topic + b"~sync-%d" % next(_counter)
    pending = list(subs)
    deadline = time.monotonic() + timeout
    while pending:
        try:
            pub.send(probe, zmq.NOBLOCK)
        except Exception as exc:  # Again of either implementation
            if getattr(exc, "errno", None) != errno.EAGAIN:
                raise
        # poll the first pending one with a wait, the others without
        pending = [s for i, s in enumerate(pending) if not s.poll(20 if i == 0 else 0)]
        assert time.monotonic() < deadline, (
            "subscription %r never took effect (%d of %d subscribers silent)"
            % (topic, len(pending), len(subs)))
    pub.send(marker)
    for s in subs:
        while True:
            got = s.recv_multipart()
            if got == [marker]:
                break
            assert got == [probe], "unexpected message while syncing: %r" % (got[:3],)


def fence(zmq, pub, sub):
    """Return once everything ``sub`` subscribed/unsubscribed so far reached ``pub``.

    A fresh subscription goes up behind the earlier ones; once it takes effect, they
    have too. Works for SUB (subscribe()) and XSUB (send(b'\\x01...')).
    """
    topic = b"\xfefence-%d" % next(_counter)
    subscribe(zmq, sub, topic)
    sync(zmq, pub, sub, topic)
    return topic


def publish_then_collect(pub, sub, messages, end, recv=None):
    """Publish ``messages`` then ``end`` (which sub must match); return what sub got
    before ``end`` (each as a list of frames). ``recv`` reads one message as a list
    of frames (default: ``sub.recv_multipart``)."""
    recv = recv or sub.recv_multipart
    for m in messages:
        if isinstance(m, list):
            pub.send_multipart(m)
        else:
            pub.send(m)
    pub.send(end)
    got = []
    while True:
        parts = recv()
        if parts == [end]:
            return got
        got.append(parts)


def recv_poking(sock, *others, timeout=DEADLINE, multipart=True):
    """recv_multipart() (recv() if not ``multipart``) on ``sock`` while ``others``
    keep processing commands.

    libzmq does a socket's work in its application thread: an XPUB attaches a new
    subscriber (and sends it the welcome message) and a SUB re-sends its
    subscriptions after a reconnection only when its owner calls into it.
    """
    deadline = time.monotonic() + timeout
    while True:
        for o in others:
            o.poll(0)
        if sock.poll(20):
            return sock.recv_multipart() if multipart else sock.recv()
        assert time.monotonic() < deadline, "nothing arrived"
